# Les pages du portail client. Chaque langue a les mêmes identifiants.

## Le lien et l'entrée

portal-company-default = L'entreprise
portal-welcome-title = Bienvenue
portal-welcome-text = { $company } vous demande quelques informations et documents pour ouvrir votre compte.
portal-welcome-save = Vos réponses sont enregistrées à chaque étape : vous pouvez vous arrêter et revenir avec le même lien, sur n'importe quel appareil.
portal-welcome-collect = { $company } a besoin de quelques éléments supplémentaires.
portal-welcome-submitted = Vous avez déjà envoyé vos informations à { $company }. Merci.
portal-welcome-privacy = Vos informations ne sont envoyées qu'à cette entreprise, par une connexion chiffrée.
portal-continue = Continuer

code-title = Consultez vos e-mails
code-text = Nous avons envoyé un code à 6 chiffres à { $email }.
code-label = Code
code-hint = Il est valable quelques minutes. Vous pouvez le coller.
code-submit = Valider
code-resend = Envoyer un nouveau code
code-mail-subject = Votre code : { $code }
code-mail-text =
    Votre code est { $code }.

    Il est valable { $minutes } minutes. Si vous ne l'avez pas demandé, ignorez ce message.

## Étapes

step-details = Informations
step-relationships = Personnes et sociétés
step-documents = Documents
step-review = Vérification

choose = Choisir…
save = Enregistrer
save-continue = Enregistrer et continuer
continue = Continuer
cancel = Annuler
edit = Modifier
remove = Supprimer
answer-yes = Oui
answer-no = Non

details-title-business = La société
details-title-person = Vous
details-intro = Les champs marqués facultatifs peuvent rester vides.

field-name = Raison sociale
field-registration_number = Numéro d'immatriculation
field-legal_form = Forme juridique
field-incorporation_date = Date de constitution
field-country = Pays d'immatriculation
field-industry_code = Code d'activité (NACE)
field-industry_code-hint = Par exemple 62.01 pour la programmation informatique.
field-website = Site web
field-email = Adresse e-mail
field-phone = Numéro de téléphone
field-first_name = Prénom
field-last_name = Nom
field-birth_date = Date de naissance
field-nationality = Nationalité
field-country_of_residence = Pays de résidence
field-address = Adresse
field-address-line1 = Numéro et voie
field-address-line2 = Complément d'adresse
field-address-postal_code = Code postal
field-address-city = Ville
field-address-region = Région ou État
field-address-country = Pays

parties-title = Personnes et sociétés
parties-intro = Indiquez qui dirige et qui détient la société : dirigeants, actionnaires et bénéficiaires effectifs (25 % ou plus, directement ou par d'autres sociétés). Indiquez-vous comme signataire.
parties-none = Personne n'est encore indiqué.
parties-under = dans { $owner }
parties-owns = détient { $percent } %
parties-add-person = Ajouter une personne
parties-add-company = Ajouter une société
parties-add-owner = Ajouter un détenteur

party-title-person = Une personne
party-title-business = Une société
party-edit-title = Modifier les informations
party-roles = Rôles
party-ownership = Part détenue (%)
party-ownership-hint = La part du capital détenue directement, de 0 à 100.

role-ubo = Bénéficiaire effectif
role-ubo-hint = Détient ou contrôle 25 % ou plus, directement ou par d'autres sociétés.
role-director = Dirigeant
role-director-hint = Dirige la société.
role-shareholder = Actionnaire
role-shareholder-hint = Détient des parts de la société.
role-signatory = Signataire (vous)
role-signatory-hint = La personne qui remplit ce formulaire.
role-legal_representative = Représentant légal
role-legal_representative-hint = Peut agir au nom de la société.

documents-title = Documents
documents-intro = Envoyez un PDF ou une photo pour chaque document, { $max } Mo au plus chacun.
documents-for = Pour { $whose }
documents-reason = Pourquoi nous le demandons : { $reason }
documents-status-received = Reçu
documents-status-valid = Accepté
documents-status-invalid = Refusé, merci de l'envoyer à nouveau
documents-choose = Choisir un fichier
documents-photo = Ou prendre une photo
documents-upload = Envoyer
documents-no-file = Choisissez d'abord un fichier ou prenez une photo.
documents-none = Aucun document n'est demandé.
documents-none-given = Aucun document envoyé pour l'instant.

doctype-identity_document = Carte d'identité
doctype-passport = Passeport
doctype-residence_permit = Titre de séjour
doctype-driving_licence = Permis de conduire
doctype-proof_of_address = Justificatif de domicile (de moins de 3 mois)
doctype-selfie = Photo de vous avec votre pièce d'identité
doctype-certificate_of_incorporation = Extrait Kbis ou extrait du registre (de moins de 3 mois)
doctype-articles_of_association = Statuts
doctype-ubo_register_extract = Extrait du registre des bénéficiaires effectifs
doctype-shareholder_register = Registre des actionnaires
doctype-power_of_attorney = Pouvoir du signataire
doctype-bank_statement = Relevé d'identité bancaire ou attestation de compte
doctype-financial_statements = Derniers comptes annuels
doctype-business_licence = Agrément pour une activité réglementée
doctype-source_of_funds = Justificatif de l'origine des fonds
doctype-other = Autre document

review-title = Vérifier et envoyer
review-confirm = En envoyant, vous confirmez que les informations sont exactes et complètes.
review-submit = Envoyer

done-title = Merci
done-text = Vos informations ont été envoyées. Vous pouvez fermer cette page.

## Pages qui terminent une visite

portal-link-invalid-title = Ce lien n'est pas valide
portal-link-invalid-text = Il a peut-être expiré ou été remplacé par un lien plus récent. Demandez un nouveau lien à l'entreprise qui vous l'a envoyé.
portal-session-ended-title = Votre session est terminée
portal-session-ended-text = Rien de ce que vous avez saisi n'est perdu. Ouvrez à nouveau votre lien pour continuer.
portal-too-many-title = Trop de tentatives
portal-too-many-text = Merci de patienter une minute avant de réessayer.
portal-not-allowed-title = Indisponible
portal-not-allowed-text = Ce formulaire ne le permet pas.
portal-already-sent-title = Déjà envoyé
portal-already-sent-text = Ce formulaire a été envoyé et ne peut plus être modifié.
portal-server-error-title = Désolé, un problème est survenu
portal-server-error-text = Cette page n'a pas pu être affichée. Merci de réessayer dans quelques minutes.
portal-bad-form-title = Le formulaire n'a pas pu être lu
portal-bad-form-text = Revenez en arrière et réessayez.
portal-forged-title = Ce formulaire ne vient pas de nous
portal-forged-text = Pour votre sécurité, il n'a pas été accepté. Ouvrez à nouveau votre lien pour continuer.
portal-not-asked-title = Non demandé
portal-not-asked-text = Ce formulaire ne demande pas cette étape.

## Erreurs propres au portail

error-session_expired = Votre session est terminée. Ouvrez à nouveau votre lien pour continuer.
error-link_expired = Ce lien n'est plus valide.
error-code_required = Saisissez d'abord le code envoyé à votre adresse e-mail.
error-code_expired = Le code a expiré. Demandez-en un nouveau.
error-code_attempts = Trop de codes erronés. Demandez-en un nouveau.
error-step_not_asked = Ce formulaire ne le demande pas.
error-document_not_asked = Ce document n'est pas demandé.
error-details_first = Remplissez d'abord les informations.
error-portal_submitted = Ce formulaire a été envoyé et ne peut plus être modifié.
error-portal_not_open = Ce formulaire est fermé.
error-field-wrong_code = Ce code n'est pas le bon.
error-field-date = Saisissez une date.
error-field-email = Saisissez une adresse e-mail comme nom@exemple.fr.
error-field-phone = Saisissez un numéro de téléphone : chiffres, espaces et + - ( ) .
error-field-country = Choisissez un pays dans la liste.
error-field-choice = Choisissez l'une des options.
error-field-number = Saisissez un nombre.
error-field-boolean = Répondez oui ou non.
error-field-industry_code = Saisissez un code NACE comme 62.01.
error-field-unknown_field = Ce champ n'est pas demandé.
error-field-unsupported = Ce n'est pas disponible.
