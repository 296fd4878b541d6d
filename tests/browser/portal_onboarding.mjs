// A company onboards through its portal link: the details (a mistake first, then a conditional
// field), a holding company with its two beneficial owners and the signatory, a PDF and a photo;
// it leaves, comes back in a fresh browser with the same link, lands where it left off, reviews,
// sends, and lands on the integrator's page. Then the link shows the sent state.
//
// Env: DOSSIER_BASE_URL, DOSSIER_LINK, DOSSIER_LANDING (redirect_url), DOSSIER_VIEWPORT (phone |
// desktop), DOSSIER_LOCALE (en | fr), DOSSIER_JAVASCRIPT (on | off), DOSSIER_SCREENSHOTS (the
// steps whose screenshots go to docs/img with DOSSIER_UPDATE_SCREENSHOTS=1, comma-separated). With
// JavaScript on, every page is checked with axe-core here and in the other language (the same
// viewport: the phone and desktop runs together cover both languages on both); without, the pages
// must work all the same.

import { env, expect, journey, newContext, screenshot } from './lib.mjs';
import { LOCALES, WORDS, a11y, expectHeading, pdf, png } from './portal_kit.mjs';

const base = env('DOSSIER_BASE_URL');
const link = env('DOSSIER_LINK');
const landing = env('DOSSIER_LANDING');
const viewport = env('DOSSIER_VIEWPORT');
const lang = env('DOSSIER_LOCALE');
const javaScript = env('DOSSIER_JAVASCRIPT') === 'on';
// The steps whose screenshot illustrates the docs; every other step's is kept in target/screenshots.
const forDocs = (process.env.DOSSIER_SCREENSHOTS ?? '').split(',').filter(Boolean);
const w = WORDS[lang];
const other = lang === 'en' ? 'fr' : 'en';

await journey(async (browser) => {
  const options = { viewport, javaScript, locale: LOCALES[lang] };
  const check = async (page, label, more = {}) => {
    if (javaScript) await a11y(page, label, { browser, lang, viewport, others: [{ lang: other, viewport }], ...more });
  };
  const shot = async (page, step) => {
    // As the client sees the page, without the focus ring of the last click.
    await page.evaluate(() => document.activeElement?.blur());
    const variant = `${lang === 'en' ? '' : `-${lang}`}${javaScript ? '' : '-nojs'}`;
    await screenshot(page, `portal-${step}-${viewport}${variant}`, { docs: forDocs.includes(step) });
  };

  // --- First visit.
  const first = await newContext(browser, options);
  let page = await first.newPage();

  // A wrong link says so, and nothing more.
  const bogus = await page.goto(`${base}/portals/${'x'.repeat(43)}`);
  expect(bogus.status(), 'the status of an unknown link').toBe(404);
  await expectHeading(page, w.invalidLink, 'an unknown link');
  await check(page, 'the invalid-link page');

  const opened = await page.goto(link);
  expect(opened.status(), 'the status of the link page').toBe(200);
  await expectHeading(page, w.welcome, 'the link page');
  expect(await page.locator('main').textContent(), 'the link page').toContain(w.welcomeText);
  await check(page, 'the link page');
  await shot(page, 'link');
  // From the keyboard: the skip link first, shown when focused, then the button.
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const a = document.activeElement;
    const box = a.getBoundingClientRect();
    return { href: a.getAttribute('href'), visible: box.top >= 0 && box.height > 0 };
  });
  expect(skip.href, 'the first stop of the keyboard').toBe('#main');
  expect(skip.visible, 'the skip link in sight when focused').toBe(true);
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => ({
    text: document.activeElement.textContent.trim(),
    outline: getComputedStyle(document.activeElement).outlineStyle,
  }));
  expect(focused.text, 'the second stop of the keyboard').toBe(w.continue);
  expect(focused.outline, 'the focus ring of the button').toBe('solid');
  await page.keyboard.press('Enter');
  await expectHeading(page, w.details, 'the details step');
  expect(new URL(page.url()).pathname, 'where continuing leads').toBe('/portal/details');
  expect(page.url().includes(link.split('/').pop()), 'the token in the address after the link').toBe(false);
  await check(page, 'the details step');

  // A mistake: no name, an e-mail that is not one. Both are named at the top and beside their fields.
  await page.getByLabel(w.email).fill('contact-at-acme');
  await page.getByRole('button', { name: w.saveContinue }).click();
  await page.locator('.error-summary').waitFor();
  const summary = page.locator('.error-summary');
  expect((await summary.locator('h2').textContent()).trim(), 'the error summary').toBe(w.problem);
  expect(await summary.locator('li').allTextContents(), 'the errors listed').toEqual([w.required, w.badEmail]);
  const nameError = await page.locator('#field-business-name-error').textContent();
  expect(nameError, 'the error beside the name').toContain(w.required);
  expect(
    await page.getByLabel(w.email).getAttribute('aria-invalid'),
    'the e-mail input marked invalid',
  ).toBe('true');
  expect(await page.getByLabel(w.email).inputValue(), 'the e-mail as typed').toBe('contact-at-acme');
  await check(page, 'the details step with errors', {
    reproduce: async (twin, l) => {
      await twin.goto(`${base}/portal/details`);
      await twin.getByLabel(WORDS[l].email).fill('contact-at-acme');
      await twin.getByRole('button', { name: WORDS[l].saveContinue }).click();
      await twin.locator('.error-summary').waitFor();
    },
  });

  // Corrected; the activity "other" makes a question appear, which must be answered too.
  await page.getByLabel(w.name).fill('Acme Trading SAS');
  await page.getByLabel(w.country).selectOption('FR');
  await page.getByLabel(w.registration).fill('RCS Paris 123 456 789');
  await page.getByLabel(w.email).fill('contact@acme-trading.example');
  await page.getByLabel('Main activity').selectOption('other');
  expect(await page.getByLabel('Describe the activity').count(), 'the conditional field before').toBe(0);
  const countries = page.getByRole('group', { name: 'Countries of operation' });
  await countries.getByLabel(lang === 'fr' ? 'France' : 'France', { exact: true }).check();
  await countries.getByLabel(lang === 'fr' ? 'Belgique' : 'Belgium', { exact: true }).check();
  await page.getByRole('button', { name: w.saveContinue }).click();
  await page.getByLabel('Describe the activity').waitFor();
  expect(new URL(page.url()).pathname, 'still on the details').toBe('/portal/details');
  expect(await page.getByLabel(w.name).inputValue(), 'the name kept').toBe('Acme Trading SAS');
  await page.getByLabel('Describe the activity').fill('Trade finance');
  await shot(page, 'details');
  await page.getByRole('button', { name: w.saveContinue }).click();

  // --- People and companies.
  await expectHeading(page, w.parties, 'the parties step');
  expect(new URL(page.url()).pathname, 'after the details').toBe('/portal/relationships');
  expect(await page.locator('main').textContent(), 'the empty list').toContain(w.nobody);
  await check(page, 'the parties step (empty)');

  await page.getByRole('link', { name: w.addCompany }).click();
  await expectHeading(page, w.aCompany, 'the company form');
  await check(page, 'the party form');
  // A share over 100% and no name: both refused beside their fields.
  await page.getByLabel(w.shareholder).check();
  await page.getByLabel(w.share).fill('150');
  await page.getByRole('button', { name: w.save, exact: true }).click();
  await page.locator('.error-summary').waitFor();
  expect(await page.locator('#field-business-name-error').textContent(), 'the error beside the name').toContain(w.required);
  expect(await page.locator('#field-ownership-percentage-error').count(), 'the error beside the share').toBe(1);
  expect(await page.getByLabel(w.shareholder).isChecked(), 'the role kept').toBe(true);
  await check(page, 'the party form with errors', {
    reproduce: async (twin, l) => {
      await twin.goto(`${base}/portal/relationships/new?kind=business`);
      await twin.getByLabel(WORDS[l].share).fill('150');
      await twin.getByRole('button', { name: WORDS[l].save, exact: true }).click();
      await twin.locator('.error-summary').waitFor();
    },
  });
  await page.getByLabel(w.share).fill('100');
  await page.getByLabel(w.name).fill('Acme Group BV');
  await page.getByLabel(w.country).selectOption('NL');
  await page.getByRole('button', { name: w.save, exact: true }).click();
  await expectHeading(page, w.parties, 'the parties after the holding');
  await page.locator('.party', { hasText: 'Acme Group BV' }).waitFor();

  for (const [first, last, born] of [
    ['Anna', 'Martin', '1970-04-12'],
    ['Paul', 'Dubois', '1968-11-03'],
  ]) {
    await page.getByRole('link', { name: `${w.addOwner} Acme Group BV` }).click();
    await expectHeading(page, w.aPerson, 'an owner form');
    await page.getByLabel(w.ubo).check();
    await page.getByLabel(w.share).fill('50');
    await page.getByLabel(w.firstName).fill(first);
    await page.getByLabel(w.lastName, { exact: true }).fill(last);
    await page.getByLabel(w.birthDate).fill(born);
    await page.getByLabel(w.nationality).selectOption('FR');
    await page.getByRole('button', { name: w.save, exact: true }).click();
    await page.locator('.party', { hasText: `${first} ${last}` }).waitFor();
  }

  await page.getByRole('link', { name: w.addPerson, exact: true }).click();
  await expectHeading(page, w.aPerson, 'the signatory form');
  await check(page, 'the person form');
  await page.getByLabel(w.director).check();
  await page.getByLabel(w.signatory).check();
  await page.getByLabel(w.firstName).fill('Claire');
  await page.getByLabel(w.lastName, { exact: true }).fill('Laurent');
  await page.getByLabel(w.email).fill('claire@acme-trading.example');
  await page.getByRole('button', { name: w.save, exact: true }).click();
  await page.locator('.party', { hasText: 'Claire Laurent' }).waitFor();

  const rows = await page.locator('.party').allTextContents();
  expect(rows.length, 'the parties listed').toBe(4);
  for (const owner of ['Anna Martin', 'Paul Dubois']) {
    const row = rows.find((r) => r.includes(owner));
    expect(row, `${owner}'s row`).toContain(w.under('Acme Group BV'));
  }
  await check(page, 'the parties step');
  await shot(page, 'parties');

  // The language switcher changes the words, not what was entered.
  await page.getByLabel(WORDS[lang].language, { exact: true }).selectOption(other);
  await page.getByRole('button', { name: w.changeLanguage }).click();
  await expectHeading(page, WORDS[other].parties, 'the parties in the other language');
  expect(await page.getAttribute('html', 'lang'), 'the page language after switching').toBe(other);
  expect(await page.locator('.party').count(), 'the parties after switching').toBe(4);
  await page.getByLabel(WORDS[other].language, { exact: true }).selectOption(lang);
  await page.getByRole('button', { name: WORDS[other].changeLanguage }).click();
  await expectHeading(page, w.parties, 'the parties back in the first language');
  await page.getByRole('button', { name: w.continue }).click();

  // --- Documents: a PDF for the company, a photo of an owner's passport.
  await expectHeading(page, w.documents, 'the documents step');
  expect(new URL(page.url()).pathname, 'after the parties').toBe('/portal/documents');
  await check(page, 'the documents step');
  const company = page.locator('section.file-slot', { hasText: w.certificate }).filter({ hasText: 'Acme Trading SAS' });
  // Sent without a file: told so beside that slot's input.
  await company.getByRole('button', { name: w.send }).click();
  const noFile = page.locator('#slot-certificate_of_incorporation-subject-error');
  await noFile.waitFor();
  expect(await noFile.textContent(), 'the error of a slot sent empty').toContain(w.noFile);
  expect(await page.locator('.error-summary a').getAttribute('href'), 'the summary link').toBe(
    '#slot-certificate_of_incorporation-subject-file',
  );
  await check(page, 'the documents step with an error', {
    reproduce: async (twin, l) => {
      await twin.goto(`${base}/portal/documents`);
      await twin.locator('section.file-slot').first().getByRole('button', { name: WORDS[l].send }).click();
      await twin.locator('.error-summary').waitFor();
    },
  });
  await company.getByLabel(w.chooseFile(w.certificate, 'Acme Trading SAS'), { exact: true }).setInputFiles(pdf());
  await company.getByRole('button', { name: w.send }).click();
  await page
    .locator('section.file-slot', { hasText: w.certificate })
    .filter({ hasText: 'Acme Trading SAS' })
    .locator('.status', { hasText: w.received })
    .waitFor();
  const owner = page.locator('section.file-slot', { hasText: w.passport }).filter({ hasText: 'Anna Martin' });
  await owner.getByLabel(w.chooseFile(w.passport, 'Anna Martin'), { exact: true }).setInputFiles(png());
  await owner.getByRole('button', { name: w.send }).click();
  await page
    .locator('section.file-slot', { hasText: w.passport })
    .filter({ hasText: 'Anna Martin' })
    .locator('.status', { hasText: w.received })
    .waitFor();
  await shot(page, 'documents');

  // --- The client leaves, and comes back later in another browser.
  await first.close();
  const second = await newContext(browser, options);
  page = await second.newPage();
  await page.goto(link);
  await expectHeading(page, w.welcome, 'the link page again');
  await page.getByRole('button', { name: w.continue }).click();
  await expectHeading(page, w.documents, 'the step left off');
  expect(new URL(page.url()).pathname, 'where the client resumes').toBe('/portal/documents');
  expect(
    await page.locator('section.file-slot', { hasText: w.certificate }).filter({ hasText: 'Acme Trading SAS' }).textContent(),
    'the PDF sent before leaving',
  ).toContain(w.received);
  await page.getByRole('button', { name: w.continue }).click();

  // --- Review and send.
  await expectHeading(page, w.review, 'the review');
  const review = await page.locator('main').textContent();
  for (const part of [
    'Acme Trading SAS',
    'Trade finance',
    w.operating,
    'Acme Group BV',
    `Anna Martin, ${w.ubo} (${w.under('Acme Group BV')})`,
    'Paul Dubois',
    `Claire Laurent, ${w.director}, ${w.signatory}`,
  ]) {
    expect(review, 'the review').toContain(part);
  }
  await check(page, 'the review');
  await shot(page, 'review');
  await page.getByRole('button', { name: w.submit, exact: true }).click();
  await page.waitForURL((url) => url.href.startsWith(`${landing}?`));
  const landed = new URL(page.url());
  expect(landed.searchParams.get('application_id'), 'the case id on the landing').toMatch(/^app_/);
  await expectHeading(page, 'Welcome back to Acme Pay', 'the landing page');

  // --- The link now shows the sent state, and changes nothing.
  await page.goto(link);
  await expectHeading(page, w.welcome, 'the link page after sending');
  expect(await page.locator('main').textContent(), 'the link page after sending').toContain(w.welcomeSubmitted);
  await page.getByRole('button', { name: w.continue }).click();
  await expectHeading(page, w.thanks, 'the done page');
  expect(new URL(page.url()).pathname, 'after sending').toBe('/portal/done');
  await check(page, 'the done page');
  await page.goto(`${base}/portal/details`);
  expect(new URL(page.url()).pathname, 'a step after sending').toBe('/portal/done');
});
