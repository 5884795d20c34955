import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { WithStrong } from './WithStrong';

describe('a translation with <strong> marks', () => {
  it('renders them as <strong>, and the rest as text (escaped)', () => {
    expect(renderToStaticMarkup(<WithStrong text="Jusqu'à <strong>25 %</strong> du CA, ou <strong>2 fois</strong> la masse salariale." />)).toBe(
      'Jusqu&#x27;à <strong>25 %</strong> du CA, ou <strong>2 fois</strong> la masse salariale.',
    );
    expect(renderToStaticMarkup(<WithStrong text="<em>no</em> & plain" />)).toBe('&lt;em&gt;no&lt;/em&gt; &amp; plain');
  });
});
