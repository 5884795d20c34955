// Fails when src/api/schema.d.ts is not what openapi-typescript generates from
// ../openapi/openapi.json today (regenerate with `npm run gen:api`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'pge-api-'));
const fresh = join(dir, 'schema.d.ts');
try {
  execFileSync('npx', ['--no-install', 'openapi-typescript', '../openapi/openapi.json', '-o', fresh], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (readFileSync(fresh, 'utf8') !== readFileSync('src/api/schema.d.ts', 'utf8')) {
    console.error('src/api/schema.d.ts is stale: run `npm run gen:api` and commit the result.');
    process.exitCode = 1;
  } else {
    console.log('src/api/schema.d.ts matches ../openapi/openapi.json');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
