import type { ButtonHTMLAttributes, Ref } from 'react';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: 'primary' | 'secondary' | 'warning';
  /** React 19 passes `ref` as a prop: it reaches the <button> with the rest. */
  ref?: Ref<HTMLButtonElement>;
}

export function Button({ variant = 'primary', className, type = 'button', ...rest }: ButtonProps) {
  const classes = ['ui-button', variant !== 'primary' && `ui-button--${variant}`, className].filter(Boolean).join(' ');
  return <button type={type} className={classes} {...rest} />;
}

export function ButtonGroup({ children }: { children: React.ReactNode }) {
  return <div className="ui-button-group">{children}</div>;
}
