// Every problem the API can answer with, and every field error code, has words in both
// languages: the lists are read from the OpenAPI document, so a type or a code added to
// the API without wording fails here (a French page never falls back on the API's
// English text).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import en from './en.json';
import fr from './fr.json';

// eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- the API's own document, read for its enums
const openapi = JSON.parse(readFileSync(new URL('../../../openapi/openapi.json', import.meta.url), 'utf8')) as {
  components: { schemas: Record<string, { enum?: string[] }> };
};
const enumOf = (schema: string) => openapi.components.schemas[schema]?.enum ?? [];

type Tree = { [key: string]: string | Tree };
const wording = (bundle: Tree, section: string, key: string) => {
  const node = bundle[section];
  const value = typeof node === 'object' ? node[key] : undefined;
  return typeof value === 'string' ? value.trim() : '';
};

describe('the API’s refusals in words', () => {
  const problemTypes = enumOf('ProblemType');
  const fieldCodes = enumOf('FieldCode');

  it('reads the lists from openapi/openapi.json', () => {
    // Not an empty list that would let every check below pass.
    expect(problemTypes.length).toBeGreaterThan(30);
    expect(problemTypes).toContain('/problems/validation-failed');
    expect(fieldCodes.length).toBeGreaterThan(20);
    expect(fieldCodes).toContain('invalid-checksum');
  });

  for (const [lang, bundle] of [
    ['fr', fr],
    ['en', en],
  ] as const) {
    it(`words every problem type in ${lang}`, () => {
      const missing = problemTypes.map((type) => type.replace(/^\/problems\//, '')).filter((slug) => wording(bundle as Tree, 'problems', slug) === '');
      expect(missing, `problems.<type> missing in ${lang}.json`).toEqual([]);
    });
    it(`words every field error code in ${lang}`, () => {
      const missing = fieldCodes.filter((code) => wording(bundle as Tree, 'errors', code) === '');
      expect(missing, `errors.<code> missing in ${lang}.json`).toEqual([]);
    });
  }
});
