// Answers (or facts) as a description list; each row may carry an action such as
// "Change", whose hidden text says what is changed.
import type { ReactNode } from 'react';

export interface SummaryRow {
  key: string;
  label: ReactNode;
  value: ReactNode;
  action?: ReactNode;
  error?: ReactNode;
  id?: string;
}

export function SummaryList({ rows, noActions }: { rows: SummaryRow[]; noActions?: boolean }) {
  return (
    <dl className="ui-summary">
      {rows.map((r) => (
        <div
          key={r.key}
          id={r.id}
          tabIndex={r.id ? -1 : undefined}
          className={['ui-summary__row', noActions && 'ui-summary__row--no-action', r.error && 'ui-summary__row--error'].filter(Boolean).join(' ')}
        >
          <dt>{r.label}</dt>
          <dd>
            {r.error && <span className="ui-error-message">{r.error}</span>}
            {r.value}
          </dd>
          {!noActions && <dd>{r.action}</dd>}
        </div>
      ))}
    </dl>
  );
}
