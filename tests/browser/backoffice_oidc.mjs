// Sign-in with OpenID Connect in Chromium, across sites: Dossier on 127.0.0.1, the test provider
// (tests/oidc/provider.mjs) named `localhost`, so the browser's cross-site rules apply as with a
// real provider — the sign-in page's form must be allowed to lead to the provider (CSP
// form-action), the pending cookie must come back with the provider's redirect (SameSite=Lax),
// and the session cookie (SameSite=Strict) must be there on the page the sign-in lands on. With
// and without JavaScript. Then a refused sign-in's page, in French, checked with axe-core.
//
// Env: DOSSIER_BASE_URL, OIDC_ISSUER.

import { checkA11y, env, expect, journey, newContext, screenshot } from './lib.mjs';

const base = env('DOSSIER_BASE_URL');
const issuer = env('OIDC_ISSUER');

/** From Dossier's sign-in page, through the provider's login as `email`, back to Dossier. */
async function signIn(page, email, button) {
  await page.goto(`${base}/login`);
  await page.getByRole('button', { name: button }).click();
  await page.waitForURL((url) => url.origin === new URL(issuer).origin);
  await page.getByRole('button', { name: email }).click();
  await page.waitForURL((url) => url.origin === new URL(base).origin);
  await page.waitForLoadState('load');
}

await journey(async (browser) => {
  for (const javaScript of [true, false]) {
    const context = await newContext(browser, { javaScript });
    const page = await context.newPage();
    await signIn(page, 'rey@bank.test', 'Sign in with Test IdP');
    const where = `signed in with JavaScript ${javaScript ? 'on' : 'off'}`;
    // Our signed-in page refreshes to the case list (a redirect would lose the Strict cookie).
    await page.waitForURL((url) => url.pathname !== '/login/oidc/callback');
    expect(new URL(page.url()).pathname, `the page ${where}`).toBe('/cases');
    expect(await page.locator('body').textContent(), `the case list ${where}`).toContain('rey@bank.test');
    const cookies = await context.cookies(base);
    const session = cookies.find((c) => c.name === 'dossier_session');
    expect(session?.sameSite, 'the session cookie').toBe('Strict');
    expect(cookies.some((c) => c.name === 'dossier_oidc'), 'the pending cookie, once used').toBe(false);
    await context.close();
  }

  const context = await newContext(browser, { locale: 'fr-FR' });
  const page = await context.newPage();
  await signIn(page, 'una@bank.test', 'Se connecter avec Test IdP');
  expect(new URL(page.url()).pathname, 'a refused sign-in').toBe('/login/oidc/callback');
  expect(await page.locator('h1').textContent(), 'the refusal').toBe('Votre adresse e-mail n’est pas vérifiée');
  await checkA11y(page, 'a refused OpenID Connect sign-in (fr)');
  await screenshot(page, 'backoffice-oidc-refused', { docs: false });
  await page.getByRole('link', { name: 'Retour à la connexion' }).click();
  expect(new URL(page.url()).pathname, 'the way back').toBe('/login');
  await context.close();
});
