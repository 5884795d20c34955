// A labelled multi-line field with its hint and error (same wiring as TextInput).
import { forwardRef, type ReactNode, type TextareaHTMLAttributes } from 'react';
import { ErrorMessage, fieldId } from './Field';

export interface TextareaProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'name'> {
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  /** Override the id (two forms with the same field on one page). */
  id?: string;
}

export const Textarea = forwardRef<HTMLTextAreaElement, TextareaProps>(function Textarea({ name, label, hint, error, id: givenId, rows = 4, className, ...rest }, ref) {
  const id = givenId ?? fieldId(name);
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'ui-field ui-field--error' : 'ui-field'}>
      <label className="ui-label" htmlFor={id}>
        {label}
      </label>
      {hint && (
        <span className="ui-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && <ErrorMessage id={`${id}-error`}>{error}</ErrorMessage>}
      <textarea
        ref={ref}
        id={id}
        name={name}
        rows={rows}
        className={['ui-input', 'ui-textarea', className].filter(Boolean).join(' ')}
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
        {...rest}
      />
    </div>
  );
});
