# La connexion par un fournisseur d’identité (OpenID Connect) : pourquoi une connexion n’a pas eu
# lieu et que faire. `{ $provider }` est le nom du fournisseur (`oidc.name`, sinon son hôte).

oidc-back-to-login = Retour à la connexion
oidc-signed-in-title = Vous êtes connecté
oidc-continue = Continuer

oidc-off-title = La connexion unique n’est pas disponible
oidc-off-text = La connexion par un fournisseur d’identité n’est pas configurée ici. Connectez-vous avec votre adresse e-mail et votre mot de passe.

oidc-unreachable-title = { $provider } est injoignable
oidc-unreachable-text = La connexion avec { $provider } est impossible pour le moment. Veuillez réessayer dans quelques minutes, ou vous connecter avec votre mot de passe.

oidc-state-title = Cette connexion ne peut pas aboutir
oidc-state-text = Elle n’a pas été commencée dans ce navigateur, a déjà été menée à bien, ou a duré plus de dix minutes. Veuillez recommencer depuis la page de connexion.

oidc-token-title = La réponse de { $provider } a été refusée
oidc-token-text = Elle n’a pas pu être vérifiée : vous n’êtes donc pas connecté. Veuillez réessayer ; si cela se reproduit, prévenez votre administrateur.

oidc-denied-title = La connexion a été annulée
oidc-denied-text = { $provider } ne vous a pas connecté. Vous pouvez réessayer.

oidc-unverified-title = Votre adresse e-mail n’est pas vérifiée
oidc-unverified-text = { $provider } n’a pas confirmé votre adresse e-mail : elle ne permet donc pas de vous connecter ici. Faites-la vérifier par { $provider }, puis réessayez.

oidc-domain-title = Ce compte ne peut pas se connecter ici
oidc-domain-text = Seules les adresses des domaines de votre organisation peuvent se connecter. Connectez-vous avec votre compte professionnel.

oidc-no-user-title = Aucun compte pour cette adresse
oidc-no-user-text = Il n’y a ici aucun compte actif pour l’adresse e-mail donnée par { $provider }. Demandez à un administrateur de vous inviter ou de réactiver votre compte.

oidc-forged-title = Cette demande a été refusée
oidc-forged-text = Elle ne vient pas de la page de connexion de ce site. Ouvrez la page de connexion et réessayez.

oidc-busy-title = Trop de tentatives
oidc-busy-text = Veuillez patienter un instant, puis réessayer.

oidc-failed-title = Désolé, un problème est survenu
oidc-failed-text = Une erreur s’est produite de notre côté pendant votre connexion. Veuillez réessayer plus tard.
