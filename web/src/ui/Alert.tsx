import type { ReactNode } from 'react';

export interface AlertProps {
  variant?: 'info' | 'success' | 'warning' | 'error';
  title?: ReactNode;
  children?: ReactNode;
  /** `status` (polite) or `alert` (assertive) when the alert appears after an action. */
  live?: 'status' | 'alert';
  id?: string;
}

export function Alert({ variant = 'info', title, children, live, id }: AlertProps) {
  return (
    <div className={`ui-alert ui-alert--${variant}`} role={live} id={id}>
      {title && <p className="ui-alert__title">{title}</p>}
      {children}
    </div>
  );
}
