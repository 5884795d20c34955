// Sub-navigation of an area (links, the current one marked aria-current="page").
import type { ReactNode } from 'react';

export function SubNav({ label, items }: { label: string; items: ReactNode[] }) {
  return (
    <nav className="ui-subnav" aria-label={label}>
      <ul>
        {items.map((item, i) => (
          <li key={i}>{item}</li>
        ))}
      </ul>
    </nav>
  );
}
