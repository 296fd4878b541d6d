// The back-office's case page in Chromium: an analyst signs in, reads the case (checked with
// axe-core in English and French, on a desktop and a phone, with the shortcuts' dialog open and
// with a refused form's errors), uses the keyboard shortcuts, marks a document invalid with a
// reason, asks the client for a document (the link shows once), and saves the screenshots of
// docs/backoffice.md. Without JavaScript the same forms work.
//
// Env: DOSSIER_BASE_URL, DOSSIER_EMAIL, DOSSIER_PASSWORD, DOSSIER_CASE (a business case with
// parties, a PDF and an image, screening hits), DOSSIER_DOC (its image document).

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { ROOT, checkA11y, env, expect, journey, newContext, screenshot } from './lib.mjs';

const base = env('DOSSIER_BASE_URL');
const email = env('DOSSIER_EMAIL');
const password = env('DOSSIER_PASSWORD');
const caseId = env('DOSSIER_CASE');
const docId = env('DOSSIER_DOC');
const casePath = `${base}/cases/${caseId}`;

// What the viewport shows (the docs' pictures: a full case page is many screens long), at
// target/screenshots/<name>.png, and at docs/img/<name>.png with DOSSIER_UPDATE_SCREENSHOTS=1.
async function view(page, name, { docs = true } = {}) {
  const png = await page.screenshot({ animations: 'disabled' });
  const target = process.env.CARGO_TARGET_DIR ? path.resolve(process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target');
  const dirs = [path.join(target, 'screenshots')];
  if (docs && process.env.DOSSIER_UPDATE_SCREENSHOTS === '1') dirs.push(path.join(ROOT, 'docs', 'img'));
  for (const dir of dirs) {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `${name}.png`), png);
  }
}

async function signIn(context) {
  const page = await context.newPage();
  await page.goto(`${base}/login?next=${encodeURIComponent(`/cases/${caseId}`)}`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await Promise.all([page.waitForURL(`**/cases/${caseId}`), page.locator('form button[type="submit"]').first().click()]);
  return page;
}

await journey(async (browser) => {
  // Desktop, English, with JavaScript.
  const context = await newContext(browser, { viewport: 'desktop', locale: 'en-GB' });
  const page = await signIn(context);
  expect((await page.locator('h1').textContent()).trim(), 'the case heading').toBe('Bravo Logistics SARL');
  await checkA11y(page, 'the case page (en, desktop)');

  // The previews, open: an image as an image, a PDF in a sandboxed frame.
  for (const summary of await page.locator('details.bo-preview > summary').all()) await summary.click();
  // The PDF's frame is sandboxed by the content's own policy (see bo_case.html).
  const frame = page.locator('details.bo-preview iframe').first();
  const csp = await page.evaluate(async (src) => (await fetch(src)).headers.get('content-security-policy'), await frame.getAttribute('src'));
  expect(csp, 'the policy of the previewed PDF').toBe("sandbox; default-src 'none'; frame-ancestors 'self'");
  await page.locator(`#doc-${docId} img`).waitFor();
  const loaded = await page.locator(`#doc-${docId} img`).evaluate((img) => img.complete && img.naturalWidth > 0);
  expect(loaded, 'the image preview loaded').toBe(true);
  // The hits' explanation, open for the picture.
  await page.locator('#screening details > summary').first().click();
  await checkA11y(page, 'the case page with its previews open (en, desktop)');
  await screenshot(page, 'backoffice-case-full', { docs: false });
  await page.evaluate(() => window.scrollTo(0, 0));
  await view(page, 'backoffice-case');
  for (const section of ['documents', 'tasks', 'screening', 'risk']) {
    await page.locator(`#${section}`).scrollIntoViewIfNeeded();
    await page.evaluate((id) => document.getElementById(id).scrollIntoView(), section);
    await view(page, `backoffice-case-${section}`, { docs: section === 'screening' || section === 'documents' });
  }

  // Shortcuts: `?` lists them; `a` chooses to approve and goes to the reason.
  await page.locator('h1').click();
  await page.keyboard.press('?');
  const dialog = page.locator('#bo-shortcuts');
  expect(await dialog.evaluate((d) => d.open), 'the shortcuts dialog is open').toBe(true);
  await checkA11y(page, 'the shortcuts dialog (en, desktop)');
  await view(page, 'backoffice-case-shortcuts', { docs: false });
  await page.keyboard.press('Escape');
  expect(await dialog.evaluate((d) => d.open), 'Escape closes the dialog').toBe(false);
  await page.keyboard.press('a');
  expect(await page.locator('#decision-field-status-review-approved').isChecked(), 'a: approve').toBe(true);
  expect(await page.evaluate(() => document.activeElement?.id), 'a: the reason next').toBe('decision-field-reason');
  await page.locator('h1').click();
  await page.keyboard.press('r');
  expect(await page.locator('#decision-field-status-review-rejected').isChecked(), 'r: reject').toBe(true);

  // A refused form: clearing a task without a comment.
  const clear = page.locator('#tasks form[action$="/clear"]').first();
  await Promise.all([page.waitForLoadState('load'), clear.locator('button[type="submit"]').click()]);
  await page.locator('.error-summary').first().waitFor();
  await checkA11y(page, 'the case page with a refused form (en, desktop)');

  // Mark the image invalid with a reason from its type's catalogue.
  await page.goto(casePath);
  const doc = page.locator(`#doc-${docId}`);
  await doc.getByLabel('Invalid', { exact: true }).check();
  await doc.getByLabel('Why it is invalid').selectOption('unreadable');
  await Promise.all([page.waitForURL(/done=document/), doc.getByRole('button', { name: /Save the review/ }).click()]);
  expect(await page.locator('.notice.ok').textContent(), 'the notice').toContain("The document's review is saved.");
  expect(await page.locator(`#doc-${docId}`).textContent(), 'the reason shown').toContain('Invalid: Unreadable.');

  // The edit page and the request page.
  await page.goto(`${casePath}/edit`);
  await checkA11y(page, 'the edit page (en, desktop)');
  await page.goto(`${casePath}/request`);
  await checkA11y(page, 'the request page (en, desktop)');
  await page.locator(`input[name="document"][value="doc:${docId}"]`).check();
  await page.getByLabel('Message to the client').fill('One more document, please.');
  await page.getByLabel('Internal note').fill('Only the team reads this.');
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Send the request' }).click()]);
  const link = await page.locator('#collect-link').inputValue();
  expect(link, 'the link').toContain('/portals/');
  await checkA11y(page, 'the request page with its link (en, desktop)');
  await page.goto(`${casePath}/request`);
  expect(await page.locator('#collect-link').count(), 'the link is shown once').toBe(0);

  // French.
  const fr = await newContext(browser, { viewport: 'desktop', locale: 'fr-FR' });
  await fr.addCookies(await context.cookies());
  const frPage = await fr.newPage();
  await frPage.goto(casePath);
  expect(await frPage.getAttribute('html', 'lang'), 'the page language').toBe('fr');
  await checkA11y(frPage, 'the case page (fr, desktop)');
  await frPage.goto(`${casePath}/edit`);
  await checkA11y(frPage, 'the edit page (fr, desktop)');
  await frPage.goto(`${casePath}/request`);
  await checkA11y(frPage, 'the request page (fr, desktop)');

  // A phone.
  const phone = await newContext(browser, { viewport: 'phone', locale: 'en-GB' });
  await phone.addCookies(await context.cookies());
  const phonePage = await phone.newPage();
  await phonePage.goto(casePath);
  await checkA11y(phonePage, 'the case page (en, phone)');
  // Against the phone's width as set (390 px): a mobile viewport widens itself to the content.
  const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - 390);
  expect(overflow <= 0, `the page fits the phone's width (${overflow}px too wide)`).toBe(true);
  await view(phonePage, 'backoffice-case-phone');
  await screenshot(phonePage, 'backoffice-case-phone-full', { docs: false });
  const frPhone = await newContext(browser, { viewport: 'phone', locale: 'fr-FR' });
  await frPhone.addCookies(await context.cookies());
  const frPhonePage = await frPhone.newPage();
  await frPhonePage.goto(casePath);
  await checkA11y(frPhonePage, 'the case page (fr, phone)');

  // Without JavaScript: the forms post and come back.
  const plain = await newContext(browser, { viewport: 'desktop', javaScript: false });
  await plain.addCookies(await context.cookies());
  const plainPage = await plain.newPage();
  await plainPage.goto(casePath);
  const plainDoc = plainPage.locator(`#doc-${docId}`);
  await plainDoc.getByLabel('Valid', { exact: true }).check();
  await Promise.all([plainPage.waitForURL(/done=document/), plainDoc.getByRole('button', { name: /Save the review/ }).click()]);
  expect(await plainPage.locator(`#doc-${docId} .badge`).first().textContent(), 'without JavaScript').toBe('Valid');
  expect(await plainPage.locator('[data-shortcuts-open]').isHidden(), 'no shortcuts button without JavaScript').toBe(true);
});
