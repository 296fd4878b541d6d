// A collect for one missing document, on a phone: the client sees the team's message and the
// reason the document is asked (never the team's internal note), sends that document only, and
// finishes. The page a collect adds to the onboarding's (the documents asked, with the team's
// message and the reasons) is checked with axe-core in both languages, on phone and desktop; the
// others, whose kinds the onboarding journeys check everywhere, here as the client sees them.
//
// Env: DOSSIER_BASE_URL, DOSSIER_LINK, DOSSIER_REASON (shown), DOSSIER_NOTE (never shown).

import { env, expect, journey, newContext, screenshot } from './lib.mjs';
import { LOCALES, WORDS, a11y, expectHeading, pdf } from './portal_kit.mjs';

const base = env('DOSSIER_BASE_URL');
const link = env('DOSSIER_LINK');
const reason = env('DOSSIER_REASON');
const note = env('DOSSIER_NOTE');
const w = WORDS.en;
const everywhere = [
  { lang: 'fr', viewport: 'phone' },
  { lang: 'en', viewport: 'desktop' },
  { lang: 'fr', viewport: 'desktop' },
];

await journey(async (browser) => {
  const context = await newContext(browser, { viewport: 'phone', locale: LOCALES.en });
  const page = await context.newPage();
  const check = (label, others = []) => a11y(page, label, { browser, lang: 'en', viewport: 'phone', others });
  const neverTheNote = async (where) => {
    const html = await page.content();
    expect(html.includes(note), `the internal note in ${where}`).toBe(false);
    // Nor any part of it.
    expect(html.includes('INTERNAL'), `the internal note's words in ${where}`).toBe(false);
  };

  await page.goto(link);
  await expectHeading(page, w.welcome, 'the link page');
  expect(await page.locator('main').textContent(), 'the link page').toContain(w.welcomeCollect);
  await neverTheNote('the link page');
  await check('the link page of a collect');
  await page.getByRole('button', { name: w.continue }).click();

  await expectHeading(page, w.documents, 'the documents asked');
  expect(new URL(page.url()).pathname, 'where a documents-only collect starts').toBe('/portal/documents');
  const main = page.locator('main');
  expect(await main.textContent(), 'the team message').toContain('One more document, please.');
  const slots = page.locator('section.file-slot');
  expect(await slots.count(), 'the documents asked').toBe(1);
  expect((await slots.locator('h2').textContent()).trim(), 'the document asked').toBe(w.certificate);
  expect((await slots.locator('.reason').textContent()).trim(), 'the reason').toBe(w.reason(reason));
  await neverTheNote('the documents step');
  // Only the steps asked: no details, no parties.
  const steps = await page.locator('nav.steps li').allTextContents();
  expect(steps.map((s) => s.trim().replace(/^\d+\.\s*/, '')), 'the steps of the collect').toEqual([w.documents, 'Review']);
  await check('the documents step of a collect', everywhere);

  await slots.getByLabel(w.chooseFile(w.certificate, 'Bravo Logistics SARL'), { exact: true }).setInputFiles(pdf('kbis-2025.pdf'));
  await slots.getByRole('button', { name: w.send }).click();
  await page.locator('section.file-slot .status', { hasText: w.received }).waitFor();
  await screenshot(page, 'portal-collect-phone');
  await page.getByRole('button', { name: w.continue }).click();

  await expectHeading(page, w.review, 'the review of a collect');
  await neverTheNote('the review');
  await check('the review of a collect');
  await page.getByRole('button', { name: w.submit, exact: true }).click();
  await expectHeading(page, w.thanks, 'the end of the collect');
  expect(new URL(page.url()).pathname, 'after sending').toBe('/portal/done');
  await check('the done page of a collect');

  // Closed, the link is no longer valid.
  const again = await page.goto(link);
  expect(again.status(), 'the link of a closed collect').toBe(410);
  await expectHeading(page, w.invalidLink, 'the closed link');
  await check('the page of a closed link');
});
