// End-to-end helpers: the real `pge` binary (embedded default: SQLite, dev OIDC provider,
// local documents) serving the built app, and Debian's Chromium driven by playwright-core.
// Nothing is mocked; a missing piece fails loudly.
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const webDir = resolve(here, '..');
export const artifacts = join(here, 'artifacts');
mkdirSync(artifacts, { recursive: true });

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const binary = () =>
  process.env.PGE_BINARY ?? join(process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/pge/target'), 'debug/pge');


async function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/**
 * The real server and a browser for the tests of one file: started before them, stopped
 * after. Read `env.server` and `env.browser` inside the tests.
 */
export function serverAndBrowser({ serverEnv = {} } = {}) {
  const env = {};
  before(async () => {
    env.server = await startServer(serverEnv);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}

/**
 * Calls the API from the page as its signed-in user, with the access token the app keeps
 * in its session; returns the status and the JSON body (null when there is none).
 */
export async function apiAs(page, path, { method = 'GET', headers = {}, body } = {}) {
  return page.evaluate(
    async ([p, m, h, b]) => {
      const key = Object.keys(localStorage).find((k) => k.startsWith('oidc.user:'));
      const token = JSON.parse(localStorage.getItem(key)).access_token;
      const json = b === undefined ? {} : { 'content-type': 'application/json' };
      const r = await fetch(p, { method: m, headers: { ...h, ...json, authorization: `Bearer ${token}` }, body: b === undefined ? undefined : JSON.stringify(b) });
      const text = await r.text();
      let body = null;
      try {
        body = JSON.parse(text);
      } catch {}
      return { status: r.status, body };
    },
    [path, method, headers, body],
  );
}

/**
 * Waits for the app's own render: index.html paints a static header band, heading and
 * lead before the scripts run, so a heading alone does not mean the page is interactive.
 */
export const appRendered = (page) => page.locator('header.ui-header').waitFor();

/**
 * Starts `pge serve` on a free port with a fresh data folder (and `extraEnv`, such as
 * `PGE_DEV_TOKEN_TTL`); checks what the app needs.
 */
export async function startServer(extraEnv = {}) {
  const bin = binary();
  assert.ok(existsSync(bin), `pge binary not found at ${bin} (set PGE_BINARY or build it with cargo)`);
  const dist = join(webDir, 'dist');
  assert.ok(existsSync(join(dist, 'index.html')), `${dist}/index.html missing: run npm run build first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'pge-e2e-'));
  let log = '';
  let port;
  let origin;
  let child;
  // A port found free can be taken by another process before pge binds it (tests run two
  // files at once): then pge stops at once, and it is started again on another port.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    log = '';
    child = spawn(bin, ['serve'], {
      env: {
        ...process.env,
        PGE_DATA_DIR: dataDir,
        PGE_LISTEN_ADDR: `127.0.0.1:${port}`,
        PGE_PUBLIC_BASE_URL: origin,
        PGE_WEB_DIR: dist,
        PGE_METRICS_ADDR: '127.0.0.1:0',
        PGE_RATE_LIMIT_PER_IP: '100000',
        PGE_RATE_LIMIT_PER_PRINCIPAL: '100000',
        PGE_LOG_FORMAT: 'json',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    // Until it says it listens, or stops (bounded: the readiness check below waits too).
    for (let i = 0; i < 300 && child.exitCode === null && !log.includes('"listening"'); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (!(child.exitCode !== null && attempt < 5 && log.includes('Address already in use'))) break;
  }
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => {
        const timer = setTimeout(() => (child.kill('SIGKILL'), r()), 5000);
        child.once('exit', () => (clearTimeout(timer), r()));
      });
    }
    writeFileSync(join(artifacts, `server-${port}.log`), log);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    let ready = false;
    for (let i = 0; i < 150 && !ready; i++) {
      if (child.exitCode !== null) throw new Error(`pge exited with ${child.exitCode}:\n${log}`);
      ready = await fetch(`${origin}/readyz`).then((r) => r.ok, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(ready, `pge did not become ready within 30 s:\n${log}`);
    const discovery = await fetch(`${origin}/dev-oidc/.well-known/openid-configuration`);
    assert.equal(discovery.status, 200, `${bin} does not serve the dev OIDC provider (GET /dev-oidc/.well-known/openid-configuration → ${discovery.status}): the Rust side of the dev sign-in is missing`);
    const config = await fetch(`${origin}/config.json`);
    assert.equal(config.status, 200, `${bin} does not serve /config.json (→ ${config.status}): the Rust side is missing`);
    const index = await fetch(`${origin}/demande/entreprise`);
    assert.ok(index.ok && (await index.text()).includes('<div id="root">'), `${bin} does not serve the app with an SPA fallback from PGE_WEB_DIR (GET /demande/entreprise → ${index.status})`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { origin, port, stop, log: () => log };
}

export async function launchBrowser() {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

/**
 * A fresh browser context (its own storage: one user). Every page the binary serves must
 * carry its strict CSP (no 'unsafe-inline'), which the app runs under as in production;
 * console errors, page errors and CSP violations are collected.
 */
export async function newPage(browser, origin, { width = 1280, locale = 'fr-FR' } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale });
  const page = watched(await context.newPage(), origin);
  return { context, page };
}

/** Collects the CSP violations and uncaught errors of `page` (another tab of a context, say). */
export function watched(page, origin) {
  const problems = { csp: [], errors: [] };
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'document' || !response.url().startsWith(origin)) return;
    if (response.status() >= 300 && response.status() < 400) return;
    const csp = response.headers()['content-security-policy'] ?? '';
    if (!csp.includes("default-src") || csp.includes('unsafe-inline')) {
      problems.csp.push(`${response.url()} served without a strict CSP: "${csp}"`);
    }
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) problems.csp.push(m.text());
  });
  page.on('pageerror', (e) => problems.errors.push(e.message));
  page.problems = problems;
  return page;
}

/** No CSP violation and no uncaught error so far on this page. */
export function assertHealthy(page) {
  assert.deepEqual(page.problems.csp, [], `CSP violations:\n${page.problems.csp.join('\n')}`);
  assert.deepEqual(page.problems.errors, [], `uncaught errors:\n${page.problems.errors.join('\n')}`);
}

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * axe-core's WCAG 2.1 A/AA rules on the page as it is. The script is put in the page
 * once per document (not at every check, as `AxeBuilder` does: parsing its 500 kB was
 * most of an end-to-end run's time), through the DevTools protocol, which the app's
 * CSP does not restrict.
 */
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(AXE_SOURCE);
  }
  const { violations } = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  return violations;
}

/**
 * After a resize: two animation frames, by which the resize observers (the chart's) have
 * run and the page has painted at the new width. There are no CSS transitions to wait
 * for, and the chart does not animate.
 */
const settled = (page) =>
  page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));

/** Screenshots are taken unless `PGE_E2E_SCREENSHOTS=0`. */
const SCREENSHOTS = process.env.PGE_E2E_SCREENSHOTS !== '0';

/**
 * Screenshots at 1280 and 375 px wide into e2e/artifacts/, and axe-core (WCAG 2.1 A/AA)
 * at both widths: any violation fails, with its rule, nodes and help.
 */
export async function capture(page, name, { axe = true } = {}) {
  const original = page.viewportSize();
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await settled(page);
    // Nothing wider than the screen (no sideways scrolling on a phone).
    const overflow = await page.evaluate((w) => {
      if (document.documentElement.scrollWidth <= w) return [];
      return [...document.querySelectorAll('body *')]
        // The outermost culprits: wider than the screen while their parent is not.
        .filter((el) => el.getBoundingClientRect().right > w + 1 && el.parentElement.getBoundingClientRect().right <= w + 1)
        .filter((el) => !el.closest('.ui-table-wrap, .ui-visually-hidden'))
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)} px)`);
    }, width);
    assert.deepEqual(overflow, [], `"${name}" is wider than ${width} px`);
    if (SCREENSHOTS) await page.screenshot({ path: join(artifacts, `${name}-${width}.png`), fullPage: true });
    if (axe) {
      const violations = await axeViolations(page);
      const summary = violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
      assert.deepEqual(summary, [], `axe violations on "${name}" at ${width} px:\n${summary.join('\n')}`);
    }
  }
  await page.setViewportSize(original);
  assertHealthy(page);
}

/** On the dev provider's page: sign in as an applicant whose subject is `name`. */
export async function signInAsApplicant(page, name) {
  await page.waitForURL(/\/dev-oidc\/authorize/);
  await page.locator('input[name="role"][value="applicant"]').check();
  await page.locator('input[name="name"]').fill(name);
  await page.locator('button[type="submit"]').click();
}

/** A small, real PDF (valid structure, one page), padded to about `size` bytes. */
export function makePdf(path, size = 2048) {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>',
  ];
  const text = 'BT /F1 18 Tf 72 760 Td (Extrait Kbis - Boulangerie Exemple) Tj ET';
  objects.push(`<< /Length ${text.length} >>\nstream\n${text}\nendstream`);
  let body = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  body += `% ${'x'.repeat(Math.max(0, size - body.length - 200))}\n`;
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  writeFileSync(path, body);
  return path;
}

export const COMPANY = {
  siren: '732 829 320',
  siret: '73282932000074',
  legalName: 'Boulangerie Exemple',
  creationDate: '04/05/2012',
  headcount: '12',
  revenue: '1000000',
  payroll: '400000',
};

/** The session the app keeps for its signed-in user (shared by the browser's tabs). */
export async function storedUser(page) {
  return page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('oidc.user:'));
    return key ? JSON.parse(localStorage.getItem(key)) : null;
  });
}

/** Changes the stored session (say, a token the API will refuse). */
export async function editStoredUser(page, edit) {
  await page.evaluate((source) => {
    const change = new Function(`return (${source})`)();
    for (const k of Object.keys(localStorage)) {
      if (!k.startsWith('oidc.user:')) continue;
      localStorage.setItem(k, JSON.stringify(change(JSON.parse(localStorage.getItem(k)))));
    }
  }, edit.toString());
}
