import { describe, expect, it } from 'vitest';
import boEn from './backoffice.en.json';
import boFr from './backoffice.fr.json';
import en from './en.json';
import fr from './fr.json';
import guaranteeEn from './guarantee.en.json';
import guaranteeFr from './guarantee.fr.json';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string') out.set(prefix + k, v);
    else for (const [kk, vv] of flatten(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort();

describe('translations', () => {
  // The back office's and the guarantee's words join the same namespace: no key may be in two bundles.
  const f = new Map([...flatten(fr), ...flatten(boFr), ...flatten(guaranteeFr)]);
  const e = new Map([...flatten(en), ...flatten(boEn), ...flatten(guaranteeEn)]);
  it('keep the back office’s and the guarantee’s words apart from the main bundle', () => {
    expect(f.size).toBe(flatten(fr as Tree).size + flatten(boFr as Tree).size + flatten(guaranteeFr as Tree).size);
    expect(e.size).toBe(flatten(en as Tree).size + flatten(boEn as Tree).size + flatten(guaranteeEn as Tree).size);
  });
  it('have the same keys in French and English', () => {
    expect([...f.keys()].filter((k) => !e.has(k))).toEqual([]);
    expect([...e.keys()].filter((k) => !f.has(k))).toEqual([]);
  });
  it('have no empty text and the same placeholders in both languages', () => {
    for (const [k, v] of f) {
      expect(v.trim(), k).not.toBe('');
      expect(placeholders(e.get(k)!), k).toEqual(placeholders(v));
    }
  });
  it('explain every eligibility refusal code of the API', () => {
    for (const code of ['excluded-legal-form', 'collective-proceedings']) {
      expect(f.has(`reasons.${code}`)).toBe(true);
    }
  });
});
