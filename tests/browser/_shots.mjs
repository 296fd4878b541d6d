import { launch, newContext, checkA11y } from './lib.mjs';
const base = process.env.BASE, email = process.env.EMAIL, pw = process.env.PW;
const browser = await launch();
for (const viewport of ['desktop', 'phone']) {
  const ctx = await newContext(browser, { viewport });
  const page = await ctx.newPage();
  await page.goto(base + '/login');
  await page.screenshot({ path: `/tmp/shot-login-${viewport}.png`, fullPage: true });
  try { await checkA11y(page, 'login'); } catch (e) { console.log(e.message); }
  await page.fill('#email', email); await page.fill('#password', pw);
  await page.click('button[type=submit]');
  await page.waitForURL('**/cases');
  await page.screenshot({ path: `/tmp/shot-cases-${viewport}.png`, fullPage: true });
  try { await checkA11y(page, 'cases'); } catch (e) { console.log(e.message); }
  const href = await page.getAttribute('table a', 'href');
  await page.goto(base + href);
  await page.screenshot({ path: `/tmp/shot-case-${viewport}.png`, fullPage: true });
  try { await checkA11y(page, 'case'); } catch (e) { console.log(e.message); }
  await ctx.close();
}
await browser.close();
