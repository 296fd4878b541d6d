// A portal restricted to an e-mail address, on a desktop: continuing sends a 6-digit code by
// e-mail; the client reads it (DOSSIER_CODE_URL asks the test's SMTP listener, as an inbox), types
// a wrong one first (refused beside the field), then the right one, and reaches the details. The
// code page is checked with axe-core in both languages, on phone and desktop, with and without
// its error.
//
// Env: DOSSIER_BASE_URL, DOSSIER_LINK, DOSSIER_CODE_URL.

import { env, expect, journey, newContext, screenshot } from './lib.mjs';
import { LOCALES, WORDS, a11y, expectHeading } from './portal_kit.mjs';

const link = env('DOSSIER_LINK');
const codeUrl = env('DOSSIER_CODE_URL');
const w = WORDS.en;
const everywhere = [
  { lang: 'fr', viewport: 'desktop' },
  { lang: 'en', viewport: 'phone' },
  { lang: 'fr', viewport: 'phone' },
];

await journey(async (browser) => {
  const context = await newContext(browser, { viewport: 'desktop', locale: LOCALES.en });
  const page = await context.newPage();
  await page.goto(link);
  await expectHeading(page, w.welcome, 'the link page');
  await page.getByRole('button', { name: w.continue }).click();

  await expectHeading(page, w.code, 'the code page');
  expect(new URL(page.url()).pathname, 'where an e-mail-restricted portal starts').toBe('/portal/code');
  expect(await page.locator('main').textContent(), 'the code page').toContain('c•••@client.example');
  const input = page.getByLabel(w.codeLabel, { exact: true });
  expect(await input.getAttribute('autocomplete'), 'the code input').toBe('one-time-code');
  expect(await input.getAttribute('inputmode'), 'the code input').toBe('numeric');
  await a11y(page, 'the code page', { browser, lang: 'en', viewport: 'desktop', others: everywhere });

  // The steps stay closed until the code is given.
  await page.goto(`${new URL(link).origin}/portal/details`);
  expect(new URL(page.url()).pathname, 'a step before the code').toBe('/portal/code');

  const answer = await fetch(codeUrl);
  expect(answer.status, 'the mail with the code').toBe(200);
  const code = (await answer.text()).trim();
  expect(code, 'the code in the mail').toMatch(/^\d{6}$/);
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  await input.fill(wrong);
  await page.getByRole('button', { name: w.codeSubmit }).click();
  await page.locator('#field-code-error').waitFor();
  expect((await page.locator('#field-code-error').textContent()).trim(), 'the error beside the code').toContain(
    w.wrongCode,
  );
  expect(await page.getByLabel(w.codeLabel, { exact: true }).getAttribute('aria-invalid'), 'the code input').toBe('true');
  expect(new URL(page.url()).pathname, 'after a wrong code').toBe('/portal/code');
  await screenshot(page, 'portal-code-desktop', { docs: false });
  await a11y(page, 'the code page with its error', {
    browser,
    lang: 'en',
    viewport: 'desktop',
    others: everywhere,
    reproduce: async (twin, l) => {
      await twin.goto(`${new URL(link).origin}/portal/code`);
      await twin.getByLabel(WORDS[l].codeLabel, { exact: true }).fill(wrong);
      await twin.getByRole('button', { name: WORDS[l].codeSubmit }).click();
      await twin.locator('#field-code-error').waitFor();
    },
  });

  // Pasted with spaces, as from a mail: still the code.
  await page.getByLabel(w.codeLabel, { exact: true }).fill(` ${code.slice(0, 3)} ${code.slice(3)} `);
  await page.getByRole('button', { name: w.codeSubmit }).click();
  await expectHeading(page, w.details, 'the details after the code');
  expect(new URL(page.url()).pathname, 'after the right code').toBe('/portal/details');
});
