// A labelled form control with its hint and error: the error is announced with the
// field (aria-describedby) and the control is marked aria-invalid.
import { forwardRef, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { useUiStrings } from './strings';

/** `company.siren` → `f-company-siren`: the id every error link points at. */
export const fieldId = (name: string) => `f-${name.replace(/[^\w-]/g, '-')}`;

interface FieldShell {
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  /** Hide the label visually (still read by screen readers). */
  labelHidden?: boolean;
}

function describedBy(id: string, hint: unknown, error: unknown) {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}

function Shell({ id, label, hint, error, labelHidden, children }: Omit<FieldShell, 'name'> & { id: string; children: ReactNode }) {
  const labelEl = (
    <label className={labelHidden ? 'ui-visually-hidden' : 'ui-label'} htmlFor={id}>
      {label}
    </label>
  );
  return (
    <div className={error ? 'ui-field ui-field--error' : 'ui-field'}>
      {labelEl}
      {hint && (
        <span className="ui-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && <ErrorMessage id={`${id}-error`}>{error}</ErrorMessage>}
      {children}
    </div>
  );
}

export function ErrorMessage({ id, children }: { id: string; children: ReactNode }) {
  const { errorPrefix } = useUiStrings();
  return (
    <span className="ui-error-message" id={id}>
      <span className="ui-visually-hidden">{errorPrefix}</span>
      {children}
    </span>
  );
}

export interface TextInputProps extends FieldShell, Omit<InputHTMLAttributes<HTMLInputElement>, 'name'> {
  width?: 'w4' | 'w10' | 'w20' | 'w30';
  suffix?: string;
}

export const TextInput = forwardRef<HTMLInputElement, TextInputProps>(function TextInput(
  { name, label, hint, error, labelHidden, width, suffix, className, type = 'text', ...input },
  ref,
) {
  const id = fieldId(name);
  const control = (
    <input
      ref={ref}
      id={id}
      name={name}
      type={type}
      className={['ui-input', width && `ui-input--${width}`, className].filter(Boolean).join(' ')}
      aria-invalid={error ? true : undefined}
      aria-describedby={describedBy(id, hint, error)}
      {...input}
    />
  );
  return (
    <Shell id={id} label={label} hint={hint} error={error} labelHidden={labelHidden}>
      {suffix ? (
        <div className={['ui-input-wrap', width && `ui-input--${width}`].filter(Boolean).join(' ')}>
          {control}
          <span className="ui-input-suffix" aria-hidden="true">
            {suffix}
          </span>
        </div>
      ) : (
        control
      )}
    </Shell>
  );
});

export interface SelectProps extends FieldShell, Omit<SelectHTMLAttributes<HTMLSelectElement>, 'name'> {
  options: { value: string; label: string }[];
  placeholder?: string;
}

export const Select = forwardRef<HTMLSelectElement, SelectProps>(function Select(
  { name, label, hint, error, labelHidden, options, placeholder, className, ...select },
  ref,
) {
  const id = fieldId(name);
  return (
    <Shell id={id} label={label} hint={hint} error={error} labelHidden={labelHidden}>
      <select
        ref={ref}
        id={id}
        name={name}
        className={['ui-select', 'ui-input--w30', className].filter(Boolean).join(' ')}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...select}
      >
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Shell>
  );
});
