// index.html paints the home page's heading and lead before the scripts run (a faster
// first paint on slow networks): its text must stay the French home page's.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import fr from '../i18n/fr.json';

// vitest runs from web/.
const html = readFileSync(resolve(process.cwd(), 'index.html'), 'utf8');
const decode = (s: string) => s.replace(/&#39;|&apos;/g, "'").replace(/&amp;/g, '&');

describe('the static shell of index.html', () => {
  it('shows the French home heading and lead', () => {
    const heading = html.match(/<h1>([^<]*)<\/h1>/)?.[1];
    const lead = html.match(/<p class="ui-lead">([^<]*)<\/p>/)?.[1];
    expect(decode(heading ?? '')).toBe(fr.home.title);
    expect(decode(lead ?? '')).toBe(fr.home.lead);
  });

  it('has no inline script or style (strict CSP)', () => {
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
  });
});
