// A question answered by one choice: a fieldset whose legend is the question; its error
// is part of the fieldset's description (aria-invalid does not apply to radio buttons).
import { forwardRef, type InputHTMLAttributes, type ReactNode } from 'react';
import { ErrorMessage, fieldId } from './Field';

export interface RadiosProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'type'> {
  name: string;
  legend: ReactNode;
  hint?: ReactNode;
  error?: string;
  options: { value: string; label: string; hint?: string }[];
  inline?: boolean;
}

/** Spread the props of react-hook-form's `register(name)`; the ref goes to every radio. */
export const Radios = forwardRef<HTMLInputElement, RadiosProps>(function Radios(
  { name, legend, hint, error, options, inline, ...input },
  ref,
) {
  const id = fieldId(name);
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'ui-field ui-field--error' : 'ui-field'}>
      <fieldset className="ui-fieldset" aria-describedby={described} id={`${id}-fieldset`}>
        <legend className="ui-legend">{legend}</legend>
        {hint && (
          <span className="ui-hint" id={`${id}-hint`}>
            {hint}
          </span>
        )}
        {error && <ErrorMessage id={`${id}-error`}>{error}</ErrorMessage>}
        <div className={inline ? 'ui-radios ui-radios--inline' : 'ui-radios'}>
          {options.map((o, i) => (
            <label className="ui-radio" key={o.value}>
              <input
                ref={ref}
                type="radio"
                name={name}
                value={o.value}
                id={i === 0 ? id : `${id}-${o.value}`}
                {...input}
              />
              <span>
                {o.label}
                {o.hint && <span className="ui-hint">{o.hint}</span>}
              </span>
            </label>
          ))}
        </div>
      </fieldset>
    </div>
  );
});
