// The back-office's settings, dashboard and tasks inbox in Chromium, as an admin: every page is
// checked with axe-core on a desktop and on a phone, a user is invited without JavaScript (the
// password shown once), a template with an error shows the line at fault, and the docs'
// screenshots are taken (backoffice-dashboard, backoffice-settings-users,
// backoffice-template-error, each also at phone width).
//
// Env: DOSSIER_BASE_URL, DOSSIER_EMAIL, DOSSIER_PASSWORD (an admin's), DOSSIER_PAGES (more
// paths to check, comma-separated: the ids the test made).

import { checkA11y, env, expect, journey, newContext, screenshot } from './lib.mjs';

const base = env('DOSSIER_BASE_URL');
const email = env('DOSSIER_EMAIL');
const password = env('DOSSIER_PASSWORD');
const extra = (process.env.DOSSIER_PAGES ?? '').split(',').filter(Boolean);

const PAGES = [


  '/settings',
  '/settings/users',
  '/settings/api-keys',
  '/settings/webhooks',
  '/settings/custom-fields',
  '/settings/templates',
  '/settings/templates/kyb_standard',
  '/settings/branding',
  '/settings/branding/preview',
  '/settings/watchlists',
  '/settings/audit',
  ...extra,
];

async function signIn(context) {
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/cases/);
  return page;
}

await journey(async (browser) => {
  for (const viewport of ['desktop', 'phone']) {
    const context = await newContext(browser, { viewport });
    const page = await signIn(context);
    for (const path of PAGES) {
      const response = await page.goto(`${base}${path}`);
      expect(response.status(), `GET ${path}`).toBe(200);
      await checkA11y(page, `${path} (${viewport})`);
      // Nothing wider than the screen but the tables, which scroll in their own box.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow <= 1, `${path} (${viewport}) fits the width (overflow ${overflow}px)`).toBe(true);
      // Every page, to look at (target/screenshots only).
      const slug = path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
      await screenshot(page, `bo-${slug}-${viewport}`, { docs: false });
    }
    const suffix = viewport === 'phone' ? '-phone' : '';
    
    
    await page.goto(`${base}/settings/users`);
    await screenshot(page, `backoffice-settings-users${suffix}`);

    // A template with an error: the line at fault is shown beside the editor.
    await page.goto(`${base}/settings/templates/kyb_standard`);
    const editor = page.getByLabel('Template (JSON)');
    const text = await editor.inputValue();
    const broken = text.replace(
      /("condition": "country_risk\(application\.business\.country\) == 'high')"/,
      '"condition": "country_risk(application.business.country) =="',
    );
    expect(broken !== text, 'the template has the condition to break').toBe(true);
    await editor.fill(broken);
    await page.getByRole('button', { name: 'Save the template' }).click();
    await page.locator('.bo-code-errors').waitFor();
    const errors = await page.locator('.bo-code-errors').textContent();
    expect(errors, 'the template errors').toMatch(/Line \d+/);
    expect(errors, 'the template errors').toContain('risk.rules[0].condition');
    await checkA11y(page, `a template with an error (${viewport})`);
    // The viewport as the admin sees it after saving: the errors, then the editor.
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, `backoffice-template-error${suffix}`, { fullPage: false });

    // Audit verification, a click away.
    await page.goto(`${base}/settings/audit`);
    await page.getByRole('button', { name: 'Verify the audit trail' }).click();
    await page.locator('#audit-result').waitFor();
    expect(await page.locator('#audit-result').textContent(), 'the verification').toContain('intact');
    await checkA11y(page, `the audit verification (${viewport})`);
    await context.close();
  }

  // Without JavaScript: invite a user; the password is shown once.
  const context = await newContext(browser, { viewport: 'phone', javaScript: false });
  const page = await signIn(context);
  await page.goto(`${base}/settings/users`);
  await page.getByLabel('E-mail address').fill('invited@bank.test');
  await page.getByLabel('Name (optional)').fill('Ivo Invited');
  await page.getByLabel('Role').selectOption('reviewer');
  await page.getByRole('button', { name: 'Invite' }).click();
  await page.waitForURL(/done=user-invited/);
  const secret = (await page.locator('.bo-secret-value').textContent()).trim();
  expect(secret.length, 'the generated password').toBe(20);
  await page.reload();
  expect(await page.locator('.bo-secret-value').count(), 'the password after a reload').toBe(0);
  expect(await page.locator('main').textContent(), 'the list').toContain('invited@bank.test');
  await context.close();
});
