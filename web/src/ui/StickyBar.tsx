// A bar that stays at the bottom of the screen while its content applies (e.g. the
// actions on the selected rows). A region, so screen readers can find it.
import type { ReactNode } from 'react';

export function StickyBar({ label, children }: { label: string; children: ReactNode }) {
  return (
    <section className="ui-sticky-bar" aria-label={label}>
      <div className="ui-width ui-sticky-bar__inner">{children}</div>
    </section>
  );
}
