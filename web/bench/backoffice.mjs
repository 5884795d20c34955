// The back office at scale, in a real browser (scripts/bench-backoffice.sh runs it
// against the release `pge` on PostgreSQL holding 1,000,000 requests):
// - the reviewer's queue: from navigation start to its table's first row painted
//   (performance.now() in the page: its origin is the navigation's start), once with an
//   empty cache and then `--runs` times as a reviewer working all day (cache warm,
//   signed in);
// - a bulk decision on 100 requests of the reviewer's bank, `--bulk` times: the time of
//   the POST as the page's fetch sees it.
// Prints a Markdown table. Not a test: the figures go to docs/PERFORMANCE.md.
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values } = parseArgs({
  options: {
    origin: { type: 'string' },
    bank: { type: 'string', default: '30004' },
    runs: { type: 'string', default: '20' },
    bulk: { type: 'string', default: '5' },
  },
});
if (!values.origin) throw new Error('usage: node bench/backoffice.mjs --origin http://127.0.0.1:PORT');
const origin = values.origin;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
// Records when the queue's first row is in the DOM, then the frame after it: painted.
await context.addInitScript(() => {
  const seen = () => document.querySelector('main table tbody tr');
  new MutationObserver((_, observer) => {
    if (!seen()) return;
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => (window.__queuePainted = performance.now()), 0));
  }).observe(document, { childList: true, subtree: true });
});
const page = await context.newPage();

async function queue() {
  await page.goto(`${origin}/instruction`);
  await page.waitForFunction(() => window.__queuePainted !== undefined, null, { timeout: 30_000 });
  return page.evaluate(() => window.__queuePainted);
}

// Sign in (the dev provider), which lands on the queue once: not measured.
await page.goto(`${origin}/instruction`);
await page.waitForURL(/\/dev-oidc\/authorize/);
await page.locator('input[name="role"][value="reviewer"]').check();
await page.locator('input[name="name"]').fill('bench-reviewer');
await page.locator('select[name="bank_id"]').selectOption(values.bank);
await page.locator('button[type="submit"]').click();
await page.waitForURL(/\/instruction/);
await page.locator('main table tbody tr').first().waitFor({ timeout: 30_000 });

// Cold: a new context has an empty HTTP cache but no session; measure the first queue
// load after sign-in in this one with its cache cleared by the protocol.
const cdp = await context.newCDPSession(page);
await cdp.send('Network.clearBrowserCache');
const cold = await queue();
const warm = [];
for (let i = 0; i < Number(values.runs); i++) warm.push(await queue());

const bulk = [];
for (let i = 0; i < Number(values.bulk); i++) {
  bulk.push(
    await page.evaluate(async () => {
      const key = Object.keys(localStorage).find((k) => k.startsWith('oidc.user:'));
      const token = JSON.parse(localStorage.getItem(key)).access_token;
      const auth = { authorization: `Bearer ${token}` };
      const list = await (await fetch('/api/v1/loan-requests?status=submitted&limit=100', { headers: auth })).json();
      const items = list.items.map((r) => ({ id: r.id, version: r.version }));
      const started = performance.now();
      const response = await fetch('/api/v1/loan-requests/bulk-decisions', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'review', items }),
      });
      const report = await response.json();
      const ms = performance.now() - started;
      const decided = report.results.filter((r) => r.status === 'in_review').length;
      return { ms, items: items.length, decided, status: response.status };
    }),
  );
}
await browser.close();

const sorted = [...warm].sort((a, b) => a - b);
const pct = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const f = (ms) => ms.toFixed(0);
console.log('| measure | runs | p50 ms | p95 ms | max ms |');
console.log('|---|---|---|---|---|');
console.log(`| queue, navigation → first page painted, cache empty | 1 | ${f(cold)} | | |`);
console.log(`| queue, navigation → first page painted, cache warm | ${warm.length} | ${f(pct(50))} | ${f(pct(95))} | ${f(sorted.at(-1))} |`);
const bulkMs = bulk.map((b) => b.ms).sort((a, b) => a - b);
console.log(`| bulk decision (review) of 100 requests | ${bulk.length} | ${f(bulkMs[Math.floor(bulkMs.length / 2)])} | | ${f(bulkMs.at(-1))} |`);
for (const b of bulk) {
  if (b.status !== 200 || b.items !== 100 || b.decided !== 100) {
    console.error(`a bulk decision did not decide 100 requests: ${JSON.stringify(b)}`);
    process.exitCode = 1;
  }
}
