// The analysts' day in Chromium, by role (crates/dossier/tests/backoffice_browser.rs prepares the
// cases and checks the webhooks afterwards):
// - a reviewer signs in, finds a case by a person's name, dismisses its screening hit, clears a
//   manual task with a comment, assigns the case, tags it and comments on it, asks the client for a
//   missing document, and is refused a decision on a case whose tasks are not done and on a case
//   reserved to qualified reviewers, each with the policy's own words;
// - a qualified reviewer approves; on a four-eyes case the first approval waits for a second,
//   different qualified reviewer, and the same one cannot give both;
// - a read-only user sees the case but has no form to change it;
// - the list, the tasks inbox and the dashboard pass axe-core in English and French, on a desktop
//   and a phone, and work without JavaScript; their pictures illustrate docs/backoffice.md.
//
// Env: DOSSIER_BASE_URL; DOSSIER_{REVIEWER,QUALIFIED,SECOND,READER}_{EMAIL,PASSWORD}; the cases
// DOSSIER_CASE_HIT (a company whose UBO is on a list), DOSSIER_CASE_OPEN (a person whose documents
// are missing), DOSSIER_CASE_HIGH (a high-risk person: manual due diligence, reserved to qualified
// reviewers, four eyes); DOSSIER_SEARCH (a person's name found only in DOSSIER_CASE_HIT).

import { checkA11y, env, expect, journey, newContext, screenshot } from './lib.mjs';

const base = env('DOSSIER_BASE_URL');
const who = (role) => ({ email: env(`DOSSIER_${role}_EMAIL`), password: env(`DOSSIER_${role}_PASSWORD`) });
const hitCase = env('DOSSIER_CASE_HIT');
const openCase = env('DOSSIER_CASE_OPEN');
const highCase = env('DOSSIER_CASE_HIGH');
const search = env('DOSSIER_SEARCH');

// The phone's width, as newContext sets it: a page wider than this scrolls sideways.
const PHONE_WIDTH = 390;

async function signIn(browser, role, { viewport = 'desktop', locale = 'en-GB', javaScript = true } = {}) {
  const { email, password } = who(role);
  const context = await newContext(browser, { viewport, locale, javaScript });
  const page = await context.newPage();
  await page.goto(`${base}/cases`);
  expect(new URL(page.url()).pathname, 'the sign-in page first').toBe('/login');
  await checkA11y(page, `the sign-in page (${locale}, ${viewport})`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await Promise.all([page.waitForURL('**/cases'), page.locator('form button[type="submit"]').first().click()]);
  return page;
}

/** Submits `form` (with `button`, else its first) and waits for the page that answers to load. */
async function submit(page, form, button) {
  const loaded = page.waitForEvent('load');
  await (button ?? form.locator('button[type="submit"]')).first().click();
  await loaded;
}

async function notice(page) {
  return (await page.locator('.notice.ok').textContent()).trim();
}

/** Chooses approve or reject with a reason, and records it. */
async function decide(page, caseId, choice, reason, { override = false } = {}) {
  await page.goto(`${base}/cases/${caseId}`);
  const form = page.locator('#decision form');
  await form.getByLabel(choice, { exact: true }).check();
  await form.getByLabel('Reason').fill(reason);
  if (override) await form.getByLabel('Decide although tasks are not done').check();
  await submit(page, form);
}

/** The pages everyone opens, checked with axe-core and for the phone's width. */
async function checkPages(page, label, { phone = false } = {}) {
  for (const path of ['/cases', '/account/password', '/cases?assignee=any&q=' + encodeURIComponent(search), '/tasks?assignee=any', '/dashboard', `/cases/${highCase}`]) {
    await page.goto(`${base}${path}`);
    await checkA11y(page, `${path} (${label})`);
    if (phone) {
      const [wider, culprits] = await page.evaluate((w) => {
        // The outermost elements that reach past the screen's edge, to say what to mend.
        const past = [...document.body.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > w + 1);
        const outer = past.filter((e) => !past.includes(e.parentElement)).slice(0, 5);
        const name = (e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''}`;
        return [document.documentElement.scrollWidth - w, outer.map((e) => `${name(e)} (${Math.round(e.getBoundingClientRect().right)}px)`)];
      }, PHONE_WIDTH);
      expect(wider <= 0, `${path} fits the phone (${wider}px too wide: ${culprits.join(', ')})`).toBe(true);
    }
  }
}

await journey(async (browser) => {
  // ---- A reviewer.
  const rita = await signIn(browser, 'REVIEWER');
  await checkA11y(rita, 'the case list (en, desktop)');

  // Find the company by its UBO's name; the list keeps the search in its URL.
  await Promise.all([rita.waitForURL(/assignee=any/), rita.getByRole('link', { name: 'All cases' }).click()]);
  await rita.getByLabel('Search', { exact: true }).fill(search);
  await submit(rita, rita.locator('form.bo-filters'), rita.getByRole('button', { name: 'Filter' }));
  expect(new URL(rita.url()).searchParams.get('q'), 'the search in the URL').toBe(search);
  const rows = rita.locator('table.bo-cases tbody tr');
  expect(await rows.count(), 'the cases found').toBe(1);
  await screenshot(rita, 'backoffice-cases', { fullPage: false });
  await Promise.all([rita.waitForURL(`**/cases/${hitCase}`), rows.first().locator('a[data-case-link]').click()]);

  // Dismiss the hit with a comment: it shows as reviewed, by her.
  const hit = rita.locator('#screening article.bo-hit').first();
  await hit.getByLabel('Dismiss: a false positive').check();
  await hit.getByLabel('Comment').fill('Born on another day; another person.');
  await submit(rita, hit.locator('form'));
  expect(await notice(rita), 'the hit notice').toBe('The screening hit is reviewed.');
  expect(await rita.locator('#screening').textContent(), 'the review shown').toContain('Born on another day; another person.');

  // Assign the case to herself, tag it, comment on it.
  const team = rita.locator('#team');
  await team.getByLabel('Assign to').selectOption('me');
  await submit(rita, team.locator('form[action$="/assignee"]'));
  expect(await notice(rita), 'the assignment notice').toBe("The case's assignee is saved.");
  expect(await rita.locator('#team').textContent(), 'assigned to her').toContain('Assignee: You');
  await rita.locator('#team').getByLabel('New tag').fill('needs-call');
  await submit(rita, rita.locator('#team form.bo-inline-form').last());
  expect(await rita.locator('#team .bo-tag-list').textContent(), 'the tag').toContain('needs-call');
  await rita.locator('#comments').getByLabel('Your comment').fill('Called the director:\nthe register extract is on its way.');
  await submit(rita, rita.locator('#comments form'));
  expect(await notice(rita), 'the comment notice').toBe('The comment is added.');
  expect(await rita.locator('#comments .bo-comment-body').first().textContent(), 'the comment, with its line break').toBe('Called the director:\nthe register extract is on its way.');
  // An empty comment is refused on its field.
  await submit(rita, rita.locator('#comments form'));
  expect(await rita.locator('#comments .field-error').textContent(), 'an empty comment').toContain('Enter this information.');
  await checkA11y(rita, 'the case page with a refused comment (en, desktop)');

  // The high-risk person: clear the manual due diligence with a comment.
  await rita.goto(`${base}/cases/${highCase}`);
  const edd = rita.locator('#task-enhanced_due_diligence');
  await edd.getByLabel('Why you clear it').fill('Source of funds seen: salary slips 2024–2026.');
  await submit(rita, edd.locator('form[action$="/clear"]'));
  expect(await notice(rita), 'the task notice').toBe('The task is cleared.');
  expect(await rita.locator('#task-enhanced_due_diligence').textContent(), 'the clearance').toContain('Source of funds seen');

  // Ask the person for the missing proof of address (the receiver gets collect.opened).
  await rita.goto(`${base}/cases/${openCase}/request`);
  await rita.locator('input[name="document"][value^="type:proof_of_address:"]').check();
  await rita.getByLabel('Message to the client').fill('Please send a proof of address of less than three months.');
  await submit(rita, rita.locator('form.bo-form').first(), rita.getByRole('button', { name: 'Send the request' }));
  expect(await rita.locator('#collect-link').inputValue(), 'the link').toContain('/portals/');

  // Refused: tasks not done; reserved to qualified reviewers. The policy's own words stand where
  // the form would be (the application layer refuses a post all the same: the HTTP tests).
  for (const [caseId, words] of [
    [openCase, 'only a qualified reviewer may decide before they are'],
    [highCase, 'This case is reserved for qualified reviewers'],
  ]) {
    await rita.goto(`${base}/cases/${caseId}`);
    expect(await rita.locator('#decision form').count(), `no decision form on ${caseId}`).toBe(0);
    expect(await rita.locator('#decision .bo-blocked').textContent(), `why not, on ${caseId}`).toContain(words);
  }
  await checkA11y(rita, 'the case page with a decision refused (en, desktop)');
  await rita.locator('#decision').scrollIntoViewIfNeeded();
  await screenshot(rita, 'backoffice-decision-refused', { fullPage: false, docs: false });

  // ---- A qualified reviewer approves, saying she decides before the tasks are done.
  const anna = await signIn(browser, 'QUALIFIED');
  await decide(anna, openCase, 'Approve', 'Known client; the proof of address follows.', { override: true });
  expect(await notice(anna), 'the decision notice').toBe('The decision is recorded.');
  expect(await anna.locator('#decision .badge').first().textContent(), 'approved').toBe('Approved');
  expect(await anna.locator('#decision form').count(), 'no second decision').toBe(0);

  // Four eyes: her approval of the high-risk case is the first; she may not give the second (she
  // may still reject).
  await decide(anna, highCase, 'Approve', 'Due diligence complete.');
  expect(await notice(anna), 'the first approval').toContain('a second, different person must approve');
  expect(await anna.locator('#decision').textContent(), 'hers').toContain('You gave the first approval');
  expect(await anna.locator('#decision input[value="approved"]').count(), 'no second approval by her').toBe(0);
  expect(await anna.locator('#decision input[value="rejected"]').count(), 'she may reject').toBe(1);

  // A second qualified reviewer gives it; the timeline shows both.
  const bob = await signIn(browser, 'SECOND');
  await bob.goto(`${base}/cases/${highCase}`);
  expect(await bob.locator('#decision').textContent(), 'the first approval, by name').toContain('First approval by Anna Qualified');
  await decide(bob, highCase, 'Approve', 'Agreed.');
  expect(await notice(bob), 'the second approval').toBe('The decision is recorded.');
  const timeline = await bob.locator('#timeline').textContent();
  expect(timeline, 'the first approval in the timeline').toContain('First approval (four eyes)');
  expect(timeline, 'by name').toContain('Anna Qualified');
  expect(timeline, 'and the second').toContain('Bob Second');

  // ---- A read-only user sees the case and no form to change it.
  const rhea = await signIn(browser, 'READER');
  await rhea.goto(`${base}/cases/${hitCase}`);
  expect((await rhea.locator('h1').textContent()).trim(), 'the case').toBe('Bravo Logistics SARL');
  const forms = await rhea.locator('main form[method="post"]').count();
  expect(forms, 'forms that change the case').toBe(0);
  expect(await rhea.locator('#decision').textContent(), 'told why').toContain('Your role can look at this case, not change it.');
  await checkA11y(rhea, 'the case page (read-only, en, desktop)');

  // ---- The list, the inbox and the dashboard: axe in both languages, desktop and phone.
  await checkPages(rita, 'en, desktop');
  await rita.goto(`${base}/tasks?assignee=any`);
  await screenshot(rita, 'backoffice-tasks', { fullPage: false });
  await rita.goto(`${base}/dashboard`);
  await screenshot(rita, 'backoffice-dashboard');
  const frContext = await newContext(browser, { viewport: 'desktop', locale: 'fr-FR' });
  await frContext.addCookies(await rita.context().cookies());
  const fr = await frContext.newPage();
  await fr.goto(`${base}/dashboard`);
  expect(await fr.getAttribute('html', 'lang'), 'French').toBe('fr');
  await checkPages(fr, 'fr, desktop');
  for (const locale of ['en-GB', 'fr-FR']) {
    const phoneContext = await newContext(browser, { viewport: 'phone', locale });
    await phoneContext.addCookies(await rita.context().cookies());
    const phone = await phoneContext.newPage();
    await checkPages(phone, `${locale}, phone`, { phone: true });
    if (locale === 'en-GB') {
      await phone.goto(`${base}/cases?assignee=any`);
      await screenshot(phone, 'backoffice-cases-phone', { fullPage: false });
    }
  }

  // ---- Without JavaScript: the search and a comment still work.
  const plainContext = await newContext(browser, { viewport: 'desktop', javaScript: false });
  await plainContext.addCookies(await rita.context().cookies());
  const plain = await plainContext.newPage();
  await plain.goto(`${base}/cases?assignee=any`);
  await plain.getByLabel('Search', { exact: true }).fill(search);
  await submit(plain, plain.locator('form.bo-filters'), plain.getByRole('button', { name: 'Filter' }));
  expect(await plain.locator('table.bo-cases tbody tr').count(), 'found without JavaScript').toBe(1);
  await plain.goto(`${base}/cases/${hitCase}`);
  await plain.locator('#comments').getByLabel('Your comment').fill('Checked without JavaScript.');
  await submit(plain, plain.locator('#comments form'));
  expect(await plain.locator('#comments').textContent(), 'the comment without JavaScript').toContain('Checked without JavaScript.');
});
