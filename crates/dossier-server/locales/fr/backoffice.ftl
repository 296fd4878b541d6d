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
bo-done-profile = Le profil est enregistré.
bo-done-custom_fields = Les champs personnalisés sont enregistrés.
bo-done-document = L’examen du document est enregistré.
bo-done-task_run = La tâche a été relancée.
bo-done-task_cleared = La tâche est levée.
bo-done-hit = L’alerte de filtrage est examinée.
bo-done-risk = L’ajustement du risque est enregistré.
bo-done-request = La demande est envoyée au portail du client.

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
bo-first-approval = Première approbation par { $who } le { $at } : une seconde personne, différente, doit approuver.
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

## Case page: header and profile

bo-next-case = Dossier suivant
bo-jump-decision = Aller à la décision
bo-shortcuts = Raccourcis clavier
bo-edit = Modifier
bo-created = Créé le
bo-empty = Non renseigné
bo-custom-fields = Champs personnalisés
bo-custom-fields-none = Cet espace n’a pas de champ personnalisé pour les dossiers.
bo-edit-title = Modifier { $name }
bo-save-profile = Enregistrer le profil
bo-save-custom-fields = Enregistrer les champs personnalisés
bo-read-only = Votre rôle permet de consulter ce dossier, pas de le modifier.

## Case page: relationships

bo-relationships = Personnes et sociétés
bo-ownership-hint = La détention effective est calculée à travers chaque chaîne de participations, comme le contrôle des bénéficiaires effectifs la voit.
bo-kind-person = Personne
bo-kind-business = Société
bo-ownership-direct = détient { $percent } % en direct
bo-ownership-effective = { $percent } % effectifs
bo-ownership-paths = Chaînes de détention de { $name }
bo-ownership-cycles =
    { $count ->
        [one] Une participation croisée a été coupée
       *[other] { $count } participations croisées ont été coupées
    } : chaque chaîne ne compte qu’une fois. Vérifiez l’organigramme.
bo-ownership-truncated = L’organigramme a trop de chaînes : les chiffres sont des minimums.

## Case page: documents

bo-documents = Documents
bo-documents-none = Aucun document pour l’instant.
bo-doc-status-unset = Non examiné
bo-doc-status-valid = Valide
bo-doc-status-invalid = Non valide
bo-size-kb = { $size } Ko
bo-uploaded = envoyé le { $at } par { $who }
bo-doc-invalid-because = Non valide : { $reason }.
bo-preview = Aperçu
bo-preview-of = { $document } de { $whose }
bo-download = Télécharger
bo-doc-mark = Marquer le document
bo-doc-valid = Valide
bo-doc-invalid = Non valide
bo-doc-reason = Pourquoi il n’est pas valide
bo-doc-reason-hint = Seulement pour un document non valide.
bo-doc-submit = Enregistrer l’examen
bo-doc-reason-expired = Expiré
bo-doc-reason-unreadable = Illisible
bo-doc-reason-incomplete = Incomplet
bo-doc-reason-name_mismatch = Le nom ne correspond pas
bo-doc-reason-birth_date_mismatch = La date de naissance ne correspond pas
bo-doc-reason-suspected_forgery = Suspicion de falsification
bo-doc-reason-wrong_document_type = Ce n’est pas le document demandé
bo-doc-reason-too_old = Trop ancien
bo-doc-reason-address_mismatch = L’adresse ne correspond pas
bo-doc-reason-unaccepted_issuer = Émetteur non accepté
bo-doc-reason-face_mismatch = Le visage ne correspond pas
bo-doc-reason-registration_number_mismatch = Le numéro d’immatriculation ne correspond pas
bo-doc-reason-company_dissolved = La société est dissoute
bo-doc-reason-outdated = Pas à jour
bo-doc-reason-unsigned = Non signé
bo-doc-reason-ubo_mismatch = Les bénéficiaires effectifs ne correspondent pas
bo-doc-reason-ownership_mismatch = La détention ne correspond pas
bo-doc-reason-signatory_mismatch = Le signataire ne correspond pas
bo-doc-reason-insufficient_powers = Pouvoirs insuffisants
bo-doc-reason-holder_mismatch = Le titulaire du compte ne correspond pas
bo-doc-reason-iban_mismatch = L’IBAN ne correspond pas
bo-doc-reason-activity_mismatch = L’activité ne correspond pas
bo-doc-reason-revoked = Révoqué
bo-doc-reason-insufficient = Insuffisant
bo-doc-reason-inconsistent = Incohérent
bo-doc-reason-irrelevant = Sans rapport

## Case page: tasks

bo-task-stale = Périmée
bo-task-inactive = Inactive
bo-findings = Constats de { $task }
bo-task-cleared-by = Levée par { $who } le { $at } :
bo-evidence = Éléments de preuve
bo-task-run = Relancer
bo-task-clear-comment = Pourquoi vous la levez
bo-task-clear = Lever la tâche

## Case page: screening

bo-screening = Alertes de filtrage
bo-hits-none = Aucune alerte.
bo-hit-status-unreviewed = À examiner
bo-hit-status-false_positive = Écartée
bo-hit-status-true_positive = Confirmée
bo-hit-status-withdrawn = Retirée
bo-hit-score = Score { $score }
bo-hit-remembered = Faux positif mémorisé
bo-hit-remembered-hint = Cette entrée ne sera plus signalée pour cette partie tant que sa fiche sur la liste reste la même.
bo-hit-held = Un filtrage ultérieur l’a maintenue écartée.
bo-hit-compare = { $party } comparé à l’entrée de la liste
bo-hit-party = La partie du dossier
bo-hit-entry = L’entrée de la liste ({ $list })
bo-hit-names = Noms
bo-hit-birth = Date de naissance
bo-hit-countries = Nationalité et pays
bo-hit-programme = Programme
bo-hit-topics = Thèmes
bo-hit-source = Liste et entrée
bo-hit-why = Pourquoi le score est de { $score }
bo-hit-matched = « { $query } » correspond à « { $matched } ».
bo-hit-features = Ce qui fait le score
bo-hit-feature = Critère
bo-hit-contribution = Apport
bo-hit-detail = Détail
bo-hit-tokens = Mots comparés
bo-hit-unmatched = Mots du dossier sans correspondance : { $words }.
bo-hit-reviewed = { $status } par { $who } le { $at } :
bo-hit-decide = Est-ce la même partie ?
bo-hit-confirm = Confirmer : c’est la même partie
bo-hit-dismiss = Écarter : un faux positif
bo-hit-comment = Commentaire
bo-hit-submit = Enregistrer l’examen
bo-feature-name = Nom
bo-feature-legal_form = Forme juridique
bo-feature-weak_alias = Alias faible
bo-feature-birth_date = Date de naissance
bo-feature-country = Pays
bo-feature-schema = Type d’entité
bo-token-exact = exact
bo-token-fuzzy = orthographe
bo-token-phonetic = son
bo-token-transliteration = translittération
bo-token-initial = initiale
bo-token-joined = mots accolés
bo-token-nickname = diminutif
bo-topic-sanction = Sanctions
bo-topic-role-pep = Personne politiquement exposée

## Case page: risk

bo-risk = Risque
bo-risk-none = Le risque n’est pas encore évalué.
bo-risk-score = Score { $score }
bo-risk-floor = Niveau au moins { $level } par la règle { $rule } (le score seul donnait { $score_level }).
bo-risk-errors = Règles qui n’ont pas pu être évaluées : { $rules }. Le score est peut-être trop bas.
bo-risk-explanation = Comment le score est calculé
bo-risk-rule = Règle
bo-risk-outcome = Résultat
bo-risk-points = Points
bo-risk-total = Total
bo-rule-fired = S’applique
bo-rule-not_fired = Ne s’applique pas
bo-rule-error = N’a pas pu être évaluée
bo-risk-adjustments = Ajustements manuels
bo-risk-history = Historique du risque
bo-when = Quand
bo-risk-cause = Cause
bo-risk-adjust = Ajuster le score
bo-risk-adjust-points = Points
bo-risk-adjust-hint = Un nombre entier : 10 ajoute, -10 retire.
bo-risk-adjust-reason = Motif
bo-risk-adjust-submit = Ajuster le risque

## Case page: decision

bo-decided-by = par { $who } le { $at }.
bo-first-approval-was = Première approbation par { $who } le { $at } (quatre yeux).
bo-first-approval-mine = Vous avez donné la première approbation : quelqu’un d’autre doit donner la seconde.
bo-decided-overriding = Décidé avant que toutes les tâches soient terminées.
bo-decided-automatically = Décidé automatiquement par la règle { $rule }.
bo-decision-override = Décider même si des tâches ne sont pas terminées
bo-decision-override-hint = Seul un analyste habilité le peut, et la décision le mentionne.

## Case page: requests to the client

bo-request = Informations du client
bo-collect-none = Rien n’a encore été demandé au client.
bo-collect-opened = Ouverte
bo-collect-closed = Répondue ou fermée
bo-collect-submitted = Répondue
bo-collect-active = Ouverte
bo-collect-expires = Le lien fonctionne jusqu’au { $at }.
bo-round = Demande { $round }, { $at }, par { $who }
bo-request-open = Demander des informations au client
bo-request-title = Demander des informations : { $name }
bo-request-ask = Quoi demander
bo-request-reopen-hint = Une demande est ouverte : envoyer celle-ci la remplace par une nouvelle étape et un nouveau lien (l’ancien lien ne fonctionne plus).
bo-request-steps = Étapes du portail
bo-request-documents = Documents
bo-request-replace = Remplacer le document non valide { $document } de { $whose }
bo-request-missing = { $document } de { $whose } (manquant)
bo-request-other = Un autre document
bo-request-message = Message au client
bo-request-message-hint = Affiché en haut du portail du client.
bo-request-reason = Pourquoi vous demandez les documents
bo-request-reason-hint = Affiché au client à côté de chaque document demandé.
bo-request-note = Note interne
bo-request-note-hint = Pour l’équipe seulement : jamais montrée au client.
bo-request-email = Adresse e-mail du client
bo-request-email-hint = Si elle est donnée, le client la confirme avec un code à usage unique avant de voir le dossier.
bo-request-submit = Envoyer la demande
bo-request-link = Le lien pour le client
bo-request-link-once = Copiez-le maintenant et envoyez-le au client : il n’est affiché qu’une fois (il est aussi dans l’événement collect.opened).
bo-request-link-label = Lien
bo-back-to-case = Retour au dossier
bo-request-history = Demandes passées
bo-round-steps = Étapes :
bo-round-message = Message :
bo-round-note = Note :
bo-round-open = En attente du client
bo-round-closed = Fermée le { $at }
bo-round-returned = { $documents } document(s) envoyé(s) ; modifié : { $changed }

## Case page: timeline

bo-action-application-created = Dossier créé
bo-action-application-updated = Dossier modifié
bo-action-application-submitted = Envoyé par le client
bo-action-application-decided = Décision
bo-action-first_approval = Première approbation (quatre yeux)
bo-action-application-evaluated = Contrôles réévalués
bo-action-document-created = Document ajouté
bo-action-document-updated = Document examiné
bo-action-document-deleted = Document supprimé
bo-action-relationship-created = Partie ajoutée
bo-action-relationship-updated = Partie modifiée
bo-action-relationship-deleted = Partie retirée
bo-action-task-run = Tâche relancée
bo-action-task-cleared = Tâche levée
bo-action-risk-adjusted = Risque ajusté
bo-action-screening_hit-reviewed = Alerte de filtrage examinée
bo-action-screening-completed = Filtré
bo-action-screening-rescreened = Filtré à nouveau après une mise à jour de liste
bo-action-collect-opened = Informations demandées au client
bo-action-collect-reopened = Informations demandées à nouveau
bo-action-collect-closed = Demande fermée
bo-action-portal-created = Portail créé
bo-action-portal-closed = Portail fermé
bo-action-portal-link_renewed = Lien du portail renouvelé
bo-action-application-assigned = Attribué
bo-action-application-tagged = Étiquette ajoutée
bo-action-application-untagged = Étiquette retirée
bo-action-comment-created = Commentaire interne

## Keyboard shortcuts

bo-key-help = Afficher cette liste
bo-key-approve = Choisir d’approuver, puis écrire le motif
bo-key-reject = Choisir de rejeter, puis écrire le motif
bo-key-submit = Envoyer le formulaire en cours de saisie
bo-key-next = Dossier suivant en attente de décision
bo-key-edit = Modifier le profil
bo-key-request = Demander des informations au client
bo-key-close = Fermer cette liste
bo-close = Fermer

## Liste des dossiers : vues, recherche, actions groupées

bo-views = Vues
bo-view-mine_or_unassigned = Les miens et non attribués
bo-view-mine = Les miens
bo-view-none = Non attribués
bo-view-any = Tous les dossiers
bo-search = Rechercher
bo-search-hint = Nom, numéro d’immatriculation, identifiant externe ou nom d’une personne.
bo-more-filters = Plus de filtres
bo-field-tag = Étiquette
bo-field-created_from = Créé à partir du
bo-field-created_to = Créé jusqu’au
bo-field-updated_from = Mis à jour à partir du
bo-field-updated_to = Mis à jour jusqu’au
bo-field-waiting = Seulement les dossiers en attente du client
bo-cases-count = { $count ->
        [one] Un dossier
       *[other] { $count } dossiers
    }
bo-cases-count-more = Plus de { $count } dossiers
bo-sorted-asc = tri croissant
bo-sorted-desc = tri décroissant
bo-select = Sélection
bo-select-case = Sélectionner { $name }
bo-col-assignee = Attribué à
bo-unassigned = Non attribué
bo-waiting-client = En attente du client
bo-bulk = Pour les dossiers sélectionnés
bo-assign-me = Moi
bo-assign = Attribuer
bo-tag = Ajouter l’étiquette
bo-untag = Retirer l’étiquette
bo-pages = Pages
bo-prev-page = Page précédente
bo-page-of = Page { $page } sur { $pages }
bo-page = Page { $page }
bo-done-assigned = Les dossiers sont attribués.
bo-done-tagged = L’étiquette est ajoutée.
bo-done-untagged = L’étiquette est retirée.

## Tableau de bord et tâches

bo-dashboard-title = Tableau de bord
bo-dash-waiting-decision = En attente de décision
bo-dash-on-us = En attente de notre part
bo-dash-on-client = En attente du client
bo-dash-open-tasks = Tâches à traiter
bo-dash-longest = la plus longue { $wait }
bo-dash-mean = moyenne { $wait }
bo-dash-oldest = Dossiers en attente de décision depuis le plus longtemps
bo-dash-since = depuis le { $at }
bo-dash-by-status = Dossiers par statut et risque
bo-dash-cases = Dossiers
bo-dash-decisions = Décisions par semaine
bo-dash-chart-desc = Dossiers approuvés et refusés pour chacune des douze dernières semaines ; les mêmes chiffres sont dans le tableau ci-dessous.
bo-dash-as-table = Sous forme de tableau
bo-dash-week = Semaine
bo-tasks-title = Tâches
bo-tasks-count = { $count ->
        [one] Une tâche à traiter
       *[other] { $count } tâches à traiter
    }
bo-tasks-none = Aucune tâche à traiter.
bo-col-task = Tâche
bo-col-case = Dossier
bo-col-result = Résultat
bo-col-waited = En attente depuis
bo-col-waits-on = Attend
bo-waits-on-us = Nous
bo-waits-on-client = Le client

## Le panneau d’équipe du dossier : attribution, étiquettes, commentaires internes

bo-team = Attribution et étiquettes
bo-assigned-you = Vous
bo-assign-to = Attribuer à
bo-tags = Étiquettes
bo-tags-none = Aucune étiquette.
bo-tag-new = Nouvelle étiquette
bo-comments = Commentaires internes
bo-comments-hint = Seule votre équipe les lit ; le client ne les voit jamais.
bo-comments-none = Aucun commentaire pour l’instant.
bo-comment-new = Votre commentaire
bo-comment-submit = Ajouter le commentaire
bo-done-assigned_case = L’attribution du dossier est enregistrée.
bo-done-commented = Le commentaire est ajouté.
bo-done-first_approval = Votre approbation est enregistrée comme la première : une seconde personne, différente, doit aussi approuver.

# Les mots d’une personne (un commentaire, un motif), cités comme le français cite.
bo-quoted = « { $text } »

## Les refus de la politique de décision, par code

error-decision-not_allowed = Votre rôle ne permet pas de décider des dossiers.
error-decision-reason_required = Une décision demande un motif : écrivez-le ci-dessous.
error-decision-already_decided = Le dossier est déjà décidé ; il doit être rouvert avant une nouvelle décision.
error-decision-tasks_not_done = Les tâches du dossier ne sont pas terminées : seul un analyste habilité peut décider avant qu’elles le soient.
error-decision-tasks_not_done-qualified = Les tâches du dossier ne sont pas terminées. Pour décider quand même, cochez « Décider même si des tâches ne sont pas terminées » : la décision le mentionnera.
error-decision-reserved_for_qualified_reviewer = Ce dossier est réservé aux analystes habilités (voir pourquoi ci-dessus) : demandez à l’un d’eux de décider.
error-decision-same_approver = Quatre yeux : la seconde approbation doit venir d’une autre personne que la première.
bo-dash-no-decisions = Aucune décision sur ces semaines pour l’instant.
