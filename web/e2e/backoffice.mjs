// Back-office helpers: sign in with any role on the dev provider's page, requests
// submitted through the API as the signed-in applicant, real PNGs. Nothing is mocked.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { apiAs, appRendered } from './helpers.mjs';

export const BANK_A = '30004'; // BNP Paribas
export const BANK_B = '30003'; // Société Générale

/**
 * Opens `path`, signs in on the dev provider's page as `role` (a reviewer with `bank`),
 * and waits for the page sign-in lands on (`landing`, a path or a RegExp).
 */
export async function signInAs(page, origin, { path = '/demandes', role, name, bank, landing }) {
  await page.goto(`${origin}${path}`);
  await answerSignIn(page, origin, { role, name, bank, landing });
}

/** On the dev provider's page (reached by a redirect): signs in and waits for `landing`. */
export async function answerSignIn(page, origin, { role, name, bank, landing }) {
  await page.waitForURL(/\/dev-oidc\/authorize/);
  await page.locator(`input[name="role"][value="${role}"]`).check();
  await page.locator('input[name="name"]').fill(name);
  if (bank) await page.locator('select[name="bank_id"]').selectOption(bank);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL(landing instanceof RegExp ? landing : `${origin}${landing}`);
  await appRendered(page);
}

/** A Luhn-valid SIREN (8 random digits and the check digit). */
export function randomSiren() {
  const body = Array.from({ length: 8 }, () => Math.floor(Math.random() * 10));
  for (let check = 0; check < 10; check++) {
    const digits = [...body, check];
    const sum = digits.reverse().reduce((s, d, i) => s + (i % 2 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0);
    if (sum % 10 === 0) return [...body, check].join('');
  }
  throw new Error('unreachable');
}

/** Submits a request through the API as the page's signed-in applicant; returns it. */
export async function submitViaApi(page, { bank = BANK_A, amountEuros = 50_000, siren = randomSiren(), name = 'Boulangerie Exemple' } = {}) {
  const r = await apiAs(page, '/api/v1/loan-requests', {
    method: 'POST',
    headers: { 'idempotency-key': randomUUID() },
    body: {
      bank_id: bank,
      company: { siren, legal_name: name, legal_form: 'SAS', creation_date: '2012-05-04', headcount: 12, revenue_cents: 100_000_000, innovative: false, collective_proceedings: false },
      requested_amount_cents: amountEuros * 100,
      amortization_years: 4,
      contact_email: 'gerant@boulangerie.example',
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A real PNG (RGB, `width`×`height`): a blue band on white, like a scanned letterhead. */
export function makePng(path, width = 240, height = 160) {
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const band = y < height / 4;
      row.set(band ? [0x1d, 0x3f, 0x72] : [0xff, 0xff, 0xff], 1 + x * 3);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  writeFileSync(path, png);
  return path;
}
