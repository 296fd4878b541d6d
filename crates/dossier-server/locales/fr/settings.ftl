# Les réglages du back-office (administrateurs), son tableau de bord et sa boîte des tâches.

## Cadre des réglages

bo-settings-title = Réglages
bo-settings-nav-label = Rubriques des réglages
bo-settings-section-users = Utilisateurs
bo-settings-section-users-text = Qui se connecte au back-office, avec quel rôle ; inviter, changer un rôle, désactiver, réinitialiser un mot de passe.
bo-settings-section-api-keys = Clés d'API
bo-settings-section-api-keys-text = Les clés de vos intégrations, chacune avec un rôle. Une clé n'est montrée qu'une fois, à sa création.
bo-settings-section-webhooks = Webhooks
bo-settings-section-webhooks-text = Les adresses qui reçoivent les événements, avec le journal de chaque envoi et son renvoi.
bo-settings-section-custom-fields = Champs personnalisés
bo-settings-section-custom-fields-text = Vos propres champs sur les dossiers et les parties liées, utilisables dans les règles et dans le portail.
bo-settings-section-templates = Modèles et matrice des risques
bo-settings-section-templates-text = Les parcours : documents, tâches, règles de risque et politique de décision, modifiés en JSON.
bo-settings-section-branding = Image de marque
bo-settings-section-branding-text = L'apparence de vos portails pour vos clients : nom, logo, couleur et thèmes, avec un aperçu.
bo-settings-section-watchlists = Listes de surveillance
bo-settings-section-watchlists-text = Les listes de sanctions et de PPE du filtrage, et chaque version importée.
bo-settings-section-audit = Piste d'audit
bo-settings-section-audit-text = Vérifier qu'aucune entrée de la piste d'audit n'a été modifiée ni supprimée.
bo-save = Enregistrer
bo-settings-created = Créé le
bo-never = Jamais
error-admin_only = Seul un administrateur peut voir et modifier les réglages de l'espace de travail.
error-user_exists = Un utilisateur a déjà cette adresse e-mail.
error-last_admin = Le dernier administrateur actif de l'espace ne peut être ni rétrogradé ni désactivé : nommez d'abord un autre administrateur.
error-field-theme_exists = Un thème porte déjà ce nom.

## Secrets montrés une fois

bo-secret-once-password = Copiez ce mot de passe maintenant et transmettez-le de façon sûre : il ne sera plus affiché.
bo-secret-once-key = Copiez cette clé maintenant et rangez-la dans le coffre de secrets de votre intégration : elle ne sera plus affichée.
bo-secret-once-hook = Copiez ce secret de signature maintenant : votre serveur vérifie avec lui la signature de chaque envoi. Il ne sera plus affiché.

## Utilisateurs

bo-user-email = Adresse e-mail
bo-user-name = Nom
bo-user-role = Rôle
bo-user-role-hint = Un nouveau rôle s'applique à la prochaine connexion : les sessions de l'utilisateur prennent fin maintenant.
bo-user-status = État
bo-user-status-active = Actif
bo-user-status-deactivated = Désactivé
bo-user-last-login = Dernière connexion
bo-user-password = Mot de passe :
bo-user-invite = Inviter un utilisateur
bo-user-invite-hint = Un mot de passe est généré pour lui, montré une seule fois ici, à lui transmettre de façon sûre.
bo-user-invite-submit = Inviter
bo-user-invited-title = { $email } est invité
bo-user-options = Mots de passe
bo-user-must-change = Les utilisateurs choisissent leur propre mot de passe à la première connexion
bo-user-must-change-hint = S'applique aux utilisateurs invités, et aux mots de passe réinitialisés, à partir de maintenant.
bo-user-edit = Nom et rôle
bo-user-access = Accès
bo-user-deactivate = Désactiver
bo-user-deactivate-hint = Il est déconnecté aussitôt et ne peut plus se connecter avant d'être réactivé.
bo-user-reactivate = Réactiver
bo-user-reset = Réinitialiser le mot de passe
bo-user-reset-hint = Un nouveau mot de passe est généré et montré une fois ; l'utilisateur est déconnecté.
bo-user-reset-title = Nouveau mot de passe
bo-user-self = C'est vous : changez votre propre mot de passe depuis votre compte.
bo-done-user-invited = L'utilisateur est invité.
bo-done-options-saved = L'option est enregistrée.
bo-done-user-updated = L'utilisateur est modifié.
bo-done-user-deactivated = L'utilisateur est désactivé et déconnecté.
bo-done-user-reactivated = L'utilisateur est réactivé.
bo-done-password-reset = Le mot de passe est réinitialisé.

## Clés d'API

bo-key-name = Nom
bo-key-name-hint = Ce qui utilise la clé, par exemple « Synchro CRM ».
bo-key-prefix = Commence par
bo-key-role = Rôle
bo-key-role-hint = Automatisation convient à une intégration ; lecture seule peut consulter sans rien modifier.
bo-key-status = État
bo-key-revoked = Révoquée le { $at }
bo-key-revoke = Révoquer
bo-key-revoke-named = Révoquer la clé { $name }
bo-key-none = Aucune clé d'API pour l'instant.
bo-key-create = Créer une clé
bo-key-create-submit = Créer la clé
bo-key-created-title = La clé { $name } est créée
bo-key-secret = Clé :
bo-done-key-created = La clé est créée.
bo-done-key-revoked = La clé est révoquée : elle ne fonctionne plus dès maintenant.

## Webhooks

bo-hook-title = Adresse de webhook
bo-hook-url = URL
bo-hook-url-hint = Une adresse https qui répond 2xx à chaque envoi.
bo-hook-description = Description
bo-hook-events = Événements
bo-hook-all-events = Tous les événements
bo-hook-state = État
bo-hook-enabled = Active
bo-hook-disabled = Désactivée
bo-hook-none = Aucune adresse de webhook pour l'instant.
bo-hook-create = Ajouter une adresse
bo-hook-create-submit = Ajouter l'adresse
bo-hook-created-title = L'adresse { $url } est ajoutée
bo-hook-secret = Secret de signature :
bo-hook-enable = Activer
bo-hook-disable = Désactiver
bo-hook-test = Envoyer un événement de test
bo-hook-delete = Supprimer l'adresse
bo-hook-deliveries = Envois
bo-delivery-event = Événement
bo-delivery-status = État
bo-delivery-status-pending = En attente
bo-delivery-status-delivered = Remis
bo-delivery-status-failed = Échoué
bo-delivery-attempts = Tentatives
bo-delivery-last = Dernière réponse
bo-delivery-next = prochain essai { $at }
bo-delivery-replay = Renvoyer
bo-delivery-replay-named = Renvoyer { $event } du { $at }
bo-delivery-none = Rien n'a encore été envoyé à cette adresse.
bo-done-webhook-created = L'adresse est ajoutée.
bo-done-webhook-enabled = L'adresse est activée.
bo-done-webhook-disabled = L'adresse est désactivée : plus rien ne lui est envoyé avant sa réactivation.
bo-done-webhook-deleted = L'adresse est supprimée.
bo-done-webhook-tested = Un événement de test est en route.
bo-done-delivery-replayed = L'envoi est renvoyé.

## Champs personnalisés

bo-cf-label = Libellé
bo-cf-api-name = Nom d'API
bo-cf-api-name-hint = Le nom dans l'API et les règles : a-z, 0-9 et _, en commençant par une lettre. Il ne pourra plus changer.
bo-cf-type = Type
bo-cf-type-text = Texte
bo-cf-type-number = Nombre
bo-cf-type-boolean = Oui ou non
bo-cf-type-date = Date
bo-cf-type-country = Pays
bo-cf-type-choice = Un choix
bo-cf-type-multi_choice = Plusieurs choix
bo-cf-type-country_multi = Plusieurs pays
bo-cf-type-industry_code = Code d'activité (NACE)
bo-cf-choices = Choix
bo-cf-choices-hint = Pour un champ à choix : un choix par ligne.
bo-cf-applies-to = S'applique aux
bo-cf-applies-application = Dossiers
bo-cf-applies-relationship = Parties liées
bo-cf-required = Obligatoire
bo-cf-required-short = obligatoire
bo-cf-portal = Le client le remplit dans le portail
bo-cf-portal-short = portail
bo-cf-flags = Options
bo-cf-description = Aide pour le client
bo-cf-description-hint = Affichée sous le champ dans le portail.
bo-cf-condition = Condition
bo-cf-condition-hint = Une expression CEL sur le dossier, par exemple business.country == "FR" : le champ n'est demandé que si elle est vraie.
bo-cf-none = Aucun champ personnalisé pour l'instant.
bo-cf-create = Ajouter un champ personnalisé
bo-cf-create-submit = Ajouter le champ
bo-cf-edit = Modifier le champ
bo-cf-fixed = Le nom d'API et le type ne peuvent pas changer.
bo-done-field-created = Le champ personnalisé est ajouté.
bo-done-field-updated = Le champ personnalisé est modifié.

## Modèles

bo-tpl-intro = Chaque dossier suit un modèle : ce qui est demandé, les tâches, les règles de risque et qui peut décider. Les modèles fournis peuvent être remplacés par votre propre version.
bo-tpl-name = Nom
bo-tpl-name-hint = Lettres minuscules, chiffres et _.
bo-tpl-version = Version
bo-tpl-applies-to = Pour
bo-tpl-applies-business = Entreprises
bo-tpl-applies-person = Personnes
bo-tpl-origin = Origine
bo-tpl-origin-default = Fourni avec Dossier
bo-tpl-origin-workspace = Le vôtre
bo-tpl-updated = Modifié le
bo-tpl-description = Description
bo-tpl-tasks = Tâches
bo-tpl-new = Nouveau modèle
bo-tpl-copy-of = À partir de
bo-tpl-new-submit = Ouvrir l'éditeur
bo-tpl-risk = Matrice des risques
bo-tpl-levels = Niveaux :
bo-tpl-rule = Règle
bo-tpl-condition = Quand
bo-tpl-weight = Poids
bo-tpl-floor = Au moins
bo-tpl-edit = Modifier
bo-tpl-edit-hint = Le modèle en JSON (voir docs/workflows.md). Il est vérifié à l'enregistrement ; une erreur indique la ligne en cause.
bo-tpl-source = Modèle (JSON)
bo-tpl-save = Enregistrer le modèle
bo-tpl-line = Ligne { $line }
bo-template-error-at = Ligne { $line } : { $message }
bo-template-unreadable = Ce n'est pas du JSON valide (colonne { $column })
bo-done-template-saved = Le modèle est enregistré : les dossiers le prennent en compte à leur prochaine modification.

## Listes de surveillance

bo-wl-intro = Les listes auxquelles le filtrage compare les noms. L'exploitant de ce Dossier les importe et les actualise ; tous les espaces de travail utilisent les mêmes.
bo-wl-sources = Sources
bo-wl-source = Source
bo-wl-refreshed = actualisée automatiquement
bo-wl-version = Version
bo-wl-entities = Entrées
bo-wl-imported = Importée
bo-wl-age =
    { $days ->
        [0] aujourd'hui
        [one] il y a un jour
       *[other] il y a { $days } jours
    }
bo-wl-checked = Dernière vérification
bo-wl-state = État
bo-wl-stale = Pas à jour
bo-wl-current = À jour
bo-wl-failures =
    { $count ->
        [one] une actualisation échouée
       *[other] { $count } actualisations échouées
    }
bo-wl-versions = Versions
bo-wl-changes = Changements
bo-wl-diff = +{ $added } −{ $removed } ~{ $changed }
bo-wl-digest = Empreinte
bo-wl-pruned = entrées purgées
bo-wl-none = Aucune liste de surveillance n'est encore importée.

## Piste d'audit

bo-audit-intro = Chaque modification est inscrite dans une piste où l'on ne fait qu'ajouter et où chaque entrée contient l'empreinte de la précédente. La vérification recalcule chaque empreinte de la piste de cet espace et de chaque version enregistrée de ses dossiers.
bo-audit-verify = Vérifier la piste d'audit
bo-audit-intact = La piste d'audit est intacte
bo-audit-intact-text =
    { $count ->
        [one] Une entrée vérifiée
       *[other] { $count } entrées vérifiées
    } le { $at } (UTC).
bo-audit-broken = La piste d'audit est rompue
bo-audit-broken-case = La piste du dossier { $case } est rompue à l'entrée { $seq } :
bo-audit-broken-workspace = La piste de l'espace de travail est rompue à l'entrée { $seq } :
bo-audit-broken-text = Quelque chose a modifié la base de données à l'insu de Dossier. Gardez-en une copie et prévenez votre exploitant.

## Image de marque

bo-brand-intro = L'apparence de vos portails. Chaque élément est facultatif : celle de Dossier comble les manques.
bo-brand-workspace = Votre apparence
bo-brand-name = Nom affiché
bo-brand-name-hint = Le nom de votre société, tel que vos clients le connaissent.
bo-brand-color = Couleur principale
bo-brand-color-hint = Écrite #rrvvbb, par exemple #1f4fd1 : boutons, liens et étapes. Le texte posé dessus est noir ou blanc, selon le plus lisible.
bo-brand-email = E-mail d'assistance
bo-brand-logo = Logo
bo-brand-logo-hint = Une image PNG, JPEG, GIF ou WebP de 100 Ko au plus.
bo-brand-logo-current = Logo actuel :
bo-brand-logo-alt = Le logo actuel
bo-brand-logo-remove = Retirer le logo
bo-brand-css = CSS personnalisé
bo-brand-css-hint = Appliqué après la feuille de style du portail, 20 Ko au plus.
bo-brand-preview = Aperçu du portail avec cette apparence
bo-brand-preview-theme = Aperçu du thème { $name }
bo-brand-themes = Thèmes
bo-brand-themes-intro = Un portail peut choisir un thème : ses éléments remplacent les vôtres, les autres restent les vôtres.
bo-brand-theme = Thème { $name }
bo-brand-theme-save = Enregistrer le thème { $name }
bo-brand-theme-delete = Supprimer le thème { $name }
bo-brand-theme-add = Ajouter un thème
bo-brand-theme-name = Nom du thème
bo-brand-theme-name-hint = 1 à 64 lettres, chiffres, _ ou - ; les portails le choisissent par ce nom.
bo-brand-theme-add-submit = Ajouter le thème
bo-done-branding-saved = L'apparence est enregistrée.
bo-done-theme-added = Le thème est ajouté.
bo-done-theme-saved = Le thème est enregistré.
bo-done-theme-deleted = Le thème est supprimé.
bo-preview-title = Aperçu du portail
bo-preview-banner = Un aperçu de l'apparence de vos portails, avec un contenu d'exemple.
bo-preview-banner-theme = Un aperçu du thème { $name }, avec un contenu d'exemple.
bo-preview-back = Retour à l'image de marque
bo-preview-heading = Personnes et sociétés
bo-preview-text = { $company } vous demande qui dirige et détient la société.
bo-preview-field = Prénom et nom
bo-preview-link = Un lien ressemble à ceci
bo-preview-button = Enregistrer et continuer
