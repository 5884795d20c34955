// A labelled checkbox with a 44 px target (the label is part of the target).
import { forwardRef, type InputHTMLAttributes, type ReactNode } from 'react';

export interface CheckboxProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'type'> {
  label: ReactNode;
  /** Hide the label visually (still read by screen readers), e.g. in a table row. */
  labelHidden?: boolean;
}

export const Checkbox = forwardRef<HTMLInputElement, CheckboxProps>(function Checkbox({ label, labelHidden, className, ...input }, ref) {
  return (
    <label className={['ui-checkbox', className].filter(Boolean).join(' ')}>
      <input ref={ref} type="checkbox" {...input} />
      <span className={labelHidden ? 'ui-visually-hidden' : undefined}>{label}</span>
    </label>
  );
});
