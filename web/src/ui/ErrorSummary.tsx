// "There is a problem": listed at the top of the page, focused when it appears (and on
// every failed attempt), each entry a link that moves focus to its field.
import { useEffect, useRef, type ReactNode } from 'react';
import { fieldId } from './Field';

export interface SummaryError {
  /** Form field name (focus goes to `fieldId(name)`), or a full element id with `#`. */
  target: string;
  text: string;
}

export function focusField(target: string) {
  const id = target.startsWith('#') ? target.slice(1) : fieldId(target);
  const el = document.getElementById(id);
  if (!el) return;
  el.scrollIntoView?.({ block: 'center' });
  el.focus({ preventScroll: true });
}

export function ErrorSummary({
  title,
  errors,
  focusKey,
  children,
}: {
  title: string;
  errors: SummaryError[];
  /** Change it to take focus again (each failed submission). */
  focusKey?: unknown;
  children?: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const shown = errors.length > 0 || children != null;
  useEffect(() => {
    if (shown) {
      ref.current?.scrollIntoView?.({ block: 'start' });
      ref.current?.focus({ preventScroll: true });
    }
  }, [shown, focusKey]);
  if (!shown) return null;
  return (
    <div className="ui-error-summary" ref={ref} tabIndex={-1} role="alert" aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{title}</h2>
      {children}
      {errors.length > 0 && (
        <ul>
          {errors.map((e) => (
            <li key={e.target + e.text}>
              <a
                href={`#${e.target.startsWith('#') ? e.target.slice(1) : fieldId(e.target)}`}
                onClick={(event) => {
                  event.preventDefault();
                  focusField(e.target);
                }}
              >
                {e.text}
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
