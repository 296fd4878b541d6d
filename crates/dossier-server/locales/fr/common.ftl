# Les messages du kit web : le cadre des pages, les champs de formulaire, l’avertissement de fin de
# session et les codes d’erreur de la couche application (error-<code>, le « . » d’un code écrit
# « - »). Chaque langue a les mêmes identifiants.

language-name = Français

## Cadre des pages

skip-to-content = Aller au contenu
brand-logo = Logo
language-label = Langue
language-submit = Changer de langue
support-line = Une question ? Écrivez à
page-failed-title = Désolé, un problème est survenu
page-failed-body = Cette page n’a pas pu être affichée. Veuillez réessayer dans quelques minutes.

## Formulaires

field-optional = (facultatif)
error-prefix = Erreur :
error-summary-title = Un problème est survenu
steps-label = Progression
step-done = terminé
upload-progress = Envoi : { $percent } %

## Session

session-warning = Votre session va se terminer dans deux minutes, faute d’activité.
session-extend = Rester connecté
session-extended = Vous êtes toujours connecté.
session-expired = Votre session est terminée. Ouvrez de nouveau votre lien pour continuer.

## Erreurs de la couche application, par code

error-bad_request = La demande n’a pas pu être lue. Veuillez réessayer.
error-unreadable_body = Les données envoyées n’ont pas pu être lues. Veuillez réessayer.
error-unreadable_multipart = Le fichier envoyé n’a pas pu être lu. Veuillez réessayer.
error-unauthorized = Vous n’êtes pas connecté, ou votre session est terminée.
error-forbidden = Vous n’êtes pas autorisé à faire ceci.
error-read_only = Vous pouvez consulter ceci, mais pas le modifier.
error-not_found = Cette page ou cet élément n’existe pas, ou n’est plus disponible.
error-conflict = Ceci a été modifié entre-temps. Rechargez la page et réessayez.
error-payload_too_large = C’est trop volumineux : la limite est de { $limit } octets.
error-unsupported_media_type = Ce type de fichier n’est pas accepté.
error-document_type_refused = Ce type de fichier n’est pas accepté.
error-validation = Certaines réponses demandent votre attention.
error-rate_limited =
    Trop de tentatives. Veuillez patienter { $retry_after ->
        [one] une seconde
       *[other] { $retry_after } secondes
    } puis réessayer.
error-internal = Un problème est survenu de notre côté. Veuillez réessayer plus tard.

## Erreurs d’un champ, par code

error-field-invalid = Vérifiez cette réponse : { $detail }
error-field-required = Renseignez cette information.
error-field-too_long = Cette réponse est trop longue.
