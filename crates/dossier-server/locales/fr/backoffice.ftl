# Le back-office : les pages des analystes.

## Cadre

bo-nav-label = Principal
bo-nav-cases = Dossiers
bo-nav-tasks = Tâches
bo-nav-dashboard = Tableau de bord
bo-nav-settings = Paramètres
bo-account = Votre compte
bo-logout = Se déconnecter
user-role-admin = Administrateur
user-role-qualified_reviewer = Analyste habilité
user-role-reviewer = Analyste
user-role-read_only = Lecture seule
user-role-automation = Automatisation
user-role-client = Client
bo-status-400 = La requête n’a pas pu être lue
bo-status-401 = Veuillez vous connecter
bo-status-403 = Action non autorisée
bo-status-404 = Introuvable
bo-status-409 = Modifié entre-temps
bo-status-410 = Plus disponible
bo-status-413 = Trop volumineux
bo-status-415 = Non accepté
bo-status-422 = Vérifiez votre saisie
bo-status-429 = Trop de tentatives
bo-status-500 = Une erreur est survenue
error-forged = Ce formulaire ne vient pas de nos pages, ou il est trop ancien. Revenez en arrière, rechargez la page et réessayez.

## Connexion

bo-login-title = Connexion à Dossier
bo-login-email = Adresse e-mail
bo-login-password = Mot de passe
bo-login-submit = Se connecter
bo-login-oidc = Se connecter avec { $name }
bo-login-failed = L’adresse e-mail ou le mot de passe est incorrect.
bo-login-locked =
    Trop de tentatives échouées. Veuillez attendre { $retry_after ->
        [one] une seconde
       *[other] { $retry_after } secondes
    } puis réessayer.

## Mot de passe

bo-password-title = Changer votre mot de passe
bo-password-forced = Choisissez votre propre mot de passe avant de continuer.
bo-password-current = Mot de passe actuel
bo-password-new = Nouveau mot de passe
bo-password-hint = Au moins 12 caractères. Évitez les mots de passe courants : quelques mots sans rapport en font un bon.
bo-password-repeat = Nouveau mot de passe, à nouveau
bo-password-submit = Changer le mot de passe
error-field-password_short = Ce mot de passe est trop court.
error-field-password_common = Ce mot de passe fait partie des plus courants. Choisissez-en un autre.
error-field-password_wrong = Ce n’est pas votre mot de passe actuel.
error-field-password_same = Le nouveau mot de passe doit être différent de l’actuel.
error-field-password_mismatch = Les deux nouveaux mots de passe ne sont pas identiques.

## Messages après une action

bo-done-password = Votre mot de passe est changé.
bo-done-decided = La décision est enregistrée.

## Liste des dossiers

bo-cases-title = Dossiers
bo-cases-filters = Filtrer les dossiers
bo-cases-none = Aucun dossier ne correspond.
bo-any = Tous
bo-filter = Filtrer
bo-next-page = Page suivante
bo-col-name = Nom
bo-col-updated = Mis à jour
bo-field-status_review = Revue
bo-field-status_execution = Avancement
bo-field-risk_level = Risque
status-review-pending = En attente
status-review-approved = Approuvé
status-review-rejected = Refusé
status-execution-in_progress = En cours
status-execution-waiting_for_user_input = En attente d’informations
status-execution-failed = En échec
status-execution-done = Contrôles terminés
risk-low = Faible
risk-medium = Moyen
risk-high = Élevé

## Page d’un dossier

bo-risk-badge = Risque { $level } ({ $score })
bo-profile = Profil
bo-external-id = Identifiant externe
bo-template = Parcours
bo-subject-name = Nom
bo-subject-registration_number = Numéro d’immatriculation
bo-subject-country = Pays
bo-subject-legal_form = Forme juridique
bo-subject-incorporation_date = Date de création
bo-subject-website = Site web
bo-subject-industry = Secteur
bo-subject-email = E-mail
bo-subject-phone = Téléphone
bo-subject-first_name = Prénom
bo-subject-last_name = Nom
bo-subject-birth_date = Date de naissance
bo-subject-nationality = Nationalité
bo-subject-country_of_residence = Pays de résidence
bo-tasks = Tâches
bo-none = Aucune.
task-result-pending = En attente
task-result-clear = Conforme
task-result-consider = À examiner
task-result-needs_action = Action requise
task-result-alert = Alerte
task-result-error = Erreur
bo-decision = Décision
bo-decided = { $status } le { $at }.
bo-reserved = Seul un analyste habilité peut décider de ce dossier :
bo-four-eyes = Une approbation demande deux personnes différentes (principe des quatre yeux).
bo-first-approval = Première approbation donnée par { $who } ; une seconde personne, différente, doit approuver.
bo-decision-refused = Cette décision n’est pas autorisée
bo-decision-choice = Votre décision
bo-approve = Approuver
bo-reject = Refuser
bo-decision-reason = Motif
bo-decision-submit = Enregistrer la décision
bo-timeline = Historique
actor-user = Utilisateur
actor-api_key = Clé d’API
actor-portal = Portail client
actor-system = Système
actor-cli = Ligne de commande
actor-oidc = Fournisseur d’identité
