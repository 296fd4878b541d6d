# Sign-in with an identity provider (OpenID Connect): why a sign-in did not happen and what to do.
# `{ $provider }` is the provider's name (`oidc.name`, else its host).

oidc-back-to-login = Back to sign-in
oidc-signed-in-title = You are signed in
oidc-continue = Continue

oidc-off-title = Single sign-on is not available
oidc-off-text = Signing in with an identity provider is not set up here. Sign in with your e-mail address and password.

oidc-unreachable-title = { $provider } cannot be reached
oidc-unreachable-text = Signing in with { $provider } is not possible right now. Please try again in a few minutes, or sign in with your password.

oidc-state-title = This sign-in cannot be completed
oidc-state-text = It was not started in this browser, was already completed, or took longer than ten minutes. Please start again from the sign-in page.

oidc-token-title = The answer of { $provider } was refused
oidc-token-text = It could not be verified, so you are not signed in. Please try again; if it happens again, tell your administrator.

oidc-denied-title = Sign-in was cancelled
oidc-denied-text = { $provider } did not sign you in. You can try again.

oidc-unverified-title = Your e-mail address is not verified
oidc-unverified-text = { $provider } has not confirmed your e-mail address, so it cannot be used to sign in here. Verify it with { $provider }, then try again.

oidc-domain-title = This account cannot sign in here
oidc-domain-text = Only addresses of your organisation's own domains may sign in. Sign in with your work account.

oidc-no-user-title = No account for this address
oidc-no-user-text = There is no active account here for the e-mail address { $provider } gave. Ask an administrator to invite you, or to reactivate your account.

oidc-forged-title = This request was refused
oidc-forged-text = It did not come from this site's sign-in page. Open the sign-in page and try again.

oidc-busy-title = Too many attempts
oidc-busy-text = Please wait a moment, then try again.

oidc-failed-title = Sorry, there is a problem
oidc-failed-text = Something went wrong on our side while signing you in. Please try again later.
