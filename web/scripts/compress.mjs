// After `vite build`: a gzip and a brotli copy of every text file of dist/ (when smaller),
// which `pge serve` sends to browsers that accept them (tower-http's precompressed
// ServeDir). CloudFront compresses on its own, so the deploy leaves these copies out.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const TEXT = /\.(js|mjs|css|html|svg|json|txt)$/;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (TEXT.test(name)) yield path;
  }
}

let count = 0;
for (const path of files(dist)) {
  const raw = readFileSync(path);
  const copies = [
    ['.gz', gzipSync(raw, { level: 9 })],
    ['.br', brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })],
  ];
  for (const [suffix, bytes] of copies) {
    if (bytes.length < raw.length) {
      writeFileSync(path + suffix, bytes);
      count += 1;
    }
  }
}
console.log(`compress: ${count} precompressed copies in dist/`);
