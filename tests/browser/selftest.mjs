// The kit's own test: two fixture pages served here with the portal's strict CSP. axe must find
// nothing on the good one and must find the bad one's defects (a check that cannot fail proves
// nothing); the good form must work without JavaScript; a phone screenshot must be phone-sized.

import { readFile } from 'node:fs/promises';
import http from 'node:http';

import { checkA11y, expect, journey, newContext, problems, screenshot } from './lib.mjs';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const page = (title, body, css) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="stylesheet" href="/${css}"><script src="/app.js" defer></script></head>
<body><main>${body}</main></body>
</html>`;

const escape = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const FILES = {
  '/good.css': ['text/css', 'body { font: 16px/1.5 sans-serif; color: #1a1a1a; background: #fff; } input, button { font: inherit; }'],
  // #aaa on white: a contrast of 2.3:1, below AA's 4.5:1.
  '/bad.css': ['text/css', 'body { font: 14px sans-serif; background: #fff; } .faint { color: #aaa; }'],
  // Proves which contexts run scripts: the page is marked only when this ran.
  '/app.js': ['text/javascript', 'document.documentElement.dataset.js = "on";'],
  '/': [
    'text/html',
    page(
      'Your details',
      `<h1>Your details</h1>
<form method="post" action="/submit">
  <label for="name">Full name</label>
  <input id="name" name="name" autocomplete="name" required>
  <button type="submit">Continue</button>
</form>`,
      'good.css',
    ),
  ],
  '/bad': [
    'text/html',
    page(
      'Bad page',
      `<h1>Bad page</h1>
<p class="faint">This grey text is too faint to read.</p>
<form method="post" action="/submit"><input name="name"><button type="submit">Send</button></form>
<script>document.title = 'inline scripts run';</script>`,
      'bad.css',
    ),
  ],
};

const server = http.createServer((req, res) => {
  const headers = { 'Content-Security-Policy': CSP };
  if (req.method === 'POST' && req.url === '/submit') {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const name = new URLSearchParams(body).get('name') ?? '';
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page('Thank you', `<h1>Thank you, ${escape(name)}</h1>`, 'good.css'));
    });
    return;
  }
  const file = FILES[req.url];
  if (req.method !== 'GET' || !file) {
    res.writeHead(404, headers).end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': `${file[0]}; charset=utf-8` });
  res.end(file[1]);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

try {
  await journey(async (browser) => {
    const desktop = await newContext(browser, { viewport: 'desktop' });
    const tab = await desktop.newPage();

    await tab.goto(`${base}/`);
    expect(await tab.getAttribute('html', 'data-js'), 'the script allowed by the CSP').toBe('on');
    await checkA11y(tab, 'the good page');

    await tab.goto(`${base}/bad`);
    let report = null;
    try {
      await checkA11y(tab, 'the bad page');
    } catch (error) {
      report = error;
    }
    expect(report, 'checkA11y on the bad page to throw').toBeTruthy();
    const ids = (report.violations ?? []).map((v) => v.id);
    expect(ids, 'the violations found').toContain('label');
    expect(ids, 'the violations found').toContain('color-contrast');
    // The report names the rule, its impact and the element.
    expect(report.message, 'the report').toContain('label [critical] Form elements must have labels — input');
    // The CSP is in force (axe ran anyway): the inline script was refused, and reported.
    expect(await tab.title(), 'the bad page title').toBe('Bad page');
    const refused = problems(desktop);
    expect(refused.length, 'the CSP refusals recorded').toBe(1);
    expect(refused[0], 'the CSP refusal').toContain('Content Security Policy');

    const noJs = await newContext(browser, { viewport: 'phone', javaScript: false, locale: 'fr-FR' });
    const phone = await noJs.newPage();
    await phone.goto(`${base}/`);
    expect(await phone.getAttribute('html', 'data-js'), 'the mark of a script in a no-JS context').toBe(null);
    await phone.getByLabel('Full name').fill('Zoë <Martin>');
    await phone.getByRole('button', { name: 'Continue' }).click();
    await phone.waitForURL(`${base}/submit`);
    expect(await phone.locator('h1').textContent(), 'the result heading').toBe('Thank you, Zoë <Martin>');
    let refusedNoJs = null;
    try {
      await checkA11y(phone, 'a no-JS page');
    } catch (error) {
      refusedNoJs = error.message;
    }
    expect(refusedNoJs, 'checkA11y in a no-JS context').toContain('axe needs JavaScript');

    await phone.goto(`${base}/`);
    const [file] = await screenshot(phone, 'selftest-phone', { docs: false });
    const png = await readFile(file);
    expect(png.subarray(1, 4).toString(), 'the screenshot format').toBe('PNG');
    // The IHDR width: 390 CSS pixels at a device scale factor of 2.
    expect(png.readUInt32BE(16), 'the phone screenshot width').toBe(780);
  });
} finally {
  server.close();
}
