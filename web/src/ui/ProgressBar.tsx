import { useId } from 'react';

/** A native <progress> with a visible label (the label names it for screen readers). */
export function ProgressBar({ label, value, max = 100, valueText }: { label: string; value: number; max?: number; valueText: string }) {
  const id = useId();
  return (
    <div className="ui-progress">
      <label htmlFor={id} className="ui-label">
        {label} <span className="ui-muted">{valueText}</span>
      </label>
      <progress id={id} max={max} value={value} aria-valuetext={valueText}>
        {valueText}
      </progress>
    </div>
  );
}
