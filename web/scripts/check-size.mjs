// Bundle budget, measured gzip-compressed on dist/ after `npm run build`:
// - initial JavaScript (the entry, every chunk index.html preloads, and the default
//   language's translations, which the app loads before its first render) ≤ 170 kB,
// - all CSS ≤ 25 kB,
// - every other (lazily loaded) JavaScript chunk ≤ 60 kB each, but pdf.js (the `pdfjs-`
//   chunk, loaded only when a reviewer previews a PDF; its parser runs in a worker file
//   of its own) ≤ 130 kB.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const LIMITS = { initialJs: 170_000, css: 25_000, lazyChunk: 60_000, pdfjs: 130_000 };
const dist = 'dist';
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = new Set(
  [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/([^"]+\.js)"/g)].map((m) => m[1]),
);
const assets = readdirSync(join(dist, 'assets')).map((f) => `assets/${f}`);
for (const f of assets) if (/^assets\/fr-[\w-]+\.js$/.test(f)) initial.add(f);
const gz = (file) => gzipSync(readFileSync(join(dist, file))).length;
const kB = (n) => `${(n / 1000).toFixed(1)} kB`;

if (initial.size === 0) throw new Error('no entry script found in dist/index.html');
let failed = false;
const check = (label, size, limit) => {
  const ok = size <= limit;
  failed ||= !ok;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}: ${kB(size)} gzip (limit ${kB(limit)})`);
};

check(`initial JS (${[...initial].join(', ')})`, [...initial].reduce((s, f) => s + gz(f), 0), LIMITS.initialJs);
check('CSS', assets.filter((f) => f.endsWith('.css')).reduce((s, f) => s + gz(f), 0), LIMITS.css);
for (const f of assets.filter((f) => f.endsWith('.js') && !initial.has(f))) {
  check(`lazy ${f}`, gz(f), /^assets\/pdfjs-[\w-]+\.js$/.test(f) ? LIMITS.pdfjs : LIMITS.lazyChunk);
}
if (failed) {
  console.error('bundle budget exceeded');
  process.exit(1);
}
