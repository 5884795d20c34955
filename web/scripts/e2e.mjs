// Runs the end-to-end tests (e2e/*.test.mjs), two files at a time, the longest first:
// `node --test` sorts its files by name, so the longest file, started last, ran alone at
// the end. Each file starts its own `pge` and Chromium. Three at a time finished no
// sooner on two cores, with the other checks running beside them, and made the pages'
// timing looser (two of eight suite runs had a test time out).
// Usage: node scripts/e2e.mjs [file ...]   (PGE_E2E_CONCURRENCY, default 2)
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const dir = resolve(import.meta.dirname, '..', 'e2e');
// The longest files, longest first (about 20 to 30 s each, against 3 to 10 s for the
// others); every other file follows, by name.
const LONGEST = ['four-eyes.test.mjs', 'journey.test.mjs', 'backoffice.test.mjs', 'admin.test.mjs', 'guarantee.test.mjs'];
const all = readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).sort();
const chosen = process.argv.length > 2 ? process.argv.slice(2).map((f) => resolve(f)) : [
  ...LONGEST.filter((f) => all.includes(f)),
  ...all.filter((f) => !LONGEST.includes(f)),
].map((f) => join(dir, f));

const concurrency = Number(process.env.PGE_E2E_CONCURRENCY ?? 2);
const stream = run({ files: chosen, concurrency });
stream.on('test:fail', () => {
  process.exitCode = 1;
});
stream.compose(spec).pipe(process.stdout);
