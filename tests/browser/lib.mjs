// The browser journeys' kit: Debian's Chromium driven by playwright-core (no downloaded browser),
// axe-core for accessibility, screenshots, assertions. A journey is a script run by
// crates/dossier/tests/common/browser.rs (`run_journey`), which passes what it needs as env vars.
//
//   import { journey, newContext, checkA11y, expect, env } from './lib.mjs';
//   await journey(async (browser) => {
//     const page = await (await newContext(browser, { viewport: 'phone' })).newPage();
//     await page.goto(env('DOSSIER_BASE_URL') + '/portal');
//     await checkA11y(page, 'portal: details');
//   });

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

// What each context was made with, and what went wrong in its pages (see `problems`).
const contexts = new WeakMap();

/** A required environment variable; fails with a message saying who should have set it. */
export function env(name) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: journeys are run by the Rust integration tests ` +
        `(crates/dossier/tests/), which start the server and pass ${name}`,
    );
  }
  return value;
}

/**
 * Starts headless Chromium. Playwright gives every launch a fresh, empty user-data dir (and removes
 * it on close). The network flags keep Chromium from calling Google's services, which this
 * machine's closed network refuses.
 */
export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const VIEWPORTS = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  desktop: { viewport: { width: 1280, height: 800 } },
};

/**
 * A new context (its own cookies and storage): `viewport` 'phone' (390×844, touch, 2×) or
 * 'desktop' (1280×800), `javaScript` on or off (journeys check that every page works without it),
 * `locale` (the Accept-Language the pages see).
 */
export async function newContext(browser, { viewport = 'desktop', javaScript = true, locale = 'en-GB' } = {}) {
  const device = VIEWPORTS[viewport];
  if (!device) throw new Error(`viewport must be 'phone' or 'desktop', not ${JSON.stringify(viewport)}`);
  const context = await browser.newContext({ ...device, javaScriptEnabled: javaScript, locale });
  // Fail fast with Playwright's own message rather than wait 30 s for an element that never comes.
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const state = { javaScript, problems: [] };
  contexts.set(context, state);
  context.on('page', (page) => watch(page, state.problems));
  return context;
}

// Uncaught exceptions and CSP refusals are bugs of the page even when the journey's assertions
// pass: `journey` fails on them unless a test took them with `problems(context)`.
function watch(page, problems) {
  page.on('pageerror', (error) => problems.push(`${page.url()}: uncaught ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy')) {
      problems.push(`${page.url()}: ${message.text()}`);
    }
  });
}

/** Takes (and clears) the problems recorded in the context's pages so far. */
export function problems(context) {
  const state = contexts.get(context);
  if (!state) throw new Error('problems(): the context was not made by newContext()');
  return state.problems.splice(0);
}

/**
 * Runs axe-core in the page for WCAG 2.0/2.1/2.2 A and AA and axe's best practices; throws a
 * readable list of the violations. axe is injected through the DevTools protocol, which the page's
 * CSP does not govern (`script-src 'self'` would refuse a script tag), so the page is checked as
 * served. It needs JavaScript: journeys run it in a context made with `javaScript: true`, and check
 * the same pages' no-JS behaviour in another context.
 */
export async function checkA11y(page, label) {
  const state = contexts.get(page.context());
  if (state && !state.javaScript) {
    throw new Error(`checkA11y(${label}): axe needs JavaScript; use a context with javaScript: true`);
  }
  const cdp = await page.context().newCDPSession(page);
  try {
    const { exceptionDetails } = await cdp.send('Runtime.evaluate', { expression: AXE_SOURCE });
    if (exceptionDetails) throw new Error(`injecting axe-core: ${exceptionDetails.exception?.description}`);
  } finally {
    await cdp.detach();
  }
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  if (violations.length > 0) {
    const lines = violations.map((v) => {
      const more = v.targets.length > 3 ? ` (+${v.targets.length - 3} more)` : '';
      return `  - ${v.id} [${v.impact}] ${v.help} — ${v.targets.slice(0, 3).join(', ')}${more}\n    ${v.helpUrl}`;
    });
    const error = new Error(
      `${violations.length} accessibility violation(s) on ${label} (${page.url()}):\n${lines.join('\n')}`,
    );
    error.violations = violations;
    throw error;
  }
}

/**
 * A full-page PNG (or the viewport's, with `fullPage: false`) at target/screenshots/<name>.png;
 * also at docs/img/<name>.png when DOSSIER_UPDATE_SCREENSHOTS=1 (the docs' illustrations), unless
 * `docs: false`.
 */
export async function screenshot(page, name, { docs = true, fullPage = true } = {}) {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw new Error(`screenshot name ${JSON.stringify(name)}: use [a-z0-9._-]`);
  const png = await page.screenshot({ fullPage, animations: 'disabled' });
  const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target');
  const dirs = [path.join(targetDir, 'screenshots')];
  if (docs && process.env.DOSSIER_UPDATE_SCREENSHOTS === '1') dirs.push(path.join(ROOT, 'docs', 'img'));
  const written = [];
  for (const dir of dirs) {
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `${name}.png`);
    await writeFile(file, png);
    written.push(file);
  }
  return written;
}

/**
 * Assertions with messages that say what was checked: `expect(value, 'the page title').toBe('Done')`.
 */
export function expect(actual, what = 'value') {
  const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  const fail = (expected) => {
    throw new Error(`expected ${what} ${expected}, got ${show(actual)}`);
  };
  return {
    toBe(expected) {
      if (!Object.is(actual, expected)) fail(`to be ${show(expected)}`);
    },
    toEqual(expected) {
      if (JSON.stringify(actual) !== JSON.stringify(expected)) fail(`to equal ${JSON.stringify(expected)}`);
    },
    toContain(part) {
      if (!actual?.includes?.(part)) fail(`to contain ${show(part)}`);
    },
    toMatch(re) {
      if (typeof actual !== 'string' || !re.test(actual)) fail(`to match ${re}`);
    },
    toBeTruthy() {
      if (!actual) fail('to be truthy');
    },
  };
}

/**
 * Runs a journey: launches Chromium, calls `fn(browser)`, then fails if a page had an uncaught
 * error or a CSP refusal. On failure it prints the error, screenshots every open page to
 * target/screenshots/failed-<script>-<n>.png, and exits with status 1.
 */
export async function journey(fn) {
  const browser = await launch();
  let failed = false;
  try {
    await fn(browser);
    const left = browser.contexts().flatMap((c) => (contexts.has(c) ? problems(c) : []));
    if (left.length > 0) throw new Error(`problems in the pages:\n  ${left.join('\n  ')}`);
  } catch (error) {
    failed = true;
    console.error(error.stack ?? error);
    const script = path.basename(process.argv[1] ?? 'journey', '.mjs');
    let n = 0;
    for (const page of browser.contexts().flatMap((c) => c.pages())) {
      n += 1;
      try {
        const [file] = await screenshot(page, `failed-${script}-${n}`, { docs: false });
        console.error(`page ${n}: ${page.url()} → ${file}`);
      } catch (e) {
        console.error(`page ${n}: ${page.url()} (no screenshot: ${e.message})`);
      }
    }
  } finally {
    await browser.close();
  }
  process.exitCode = failed ? 1 : 0;
}
