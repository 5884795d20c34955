// Links go through the router (client-side navigation, typed paths); a ButtonLink looks
// like a button but navigates, as a call to action should.
import { createLink, type LinkComponent } from '@tanstack/react-router';
import { forwardRef, type AnchorHTMLAttributes } from 'react';

type AnchorProps = AnchorHTMLAttributes<HTMLAnchorElement> & { variant?: 'primary' | 'secondary' };

// Children are written out (not left in the spread props) so that the accessibility
// lint sees that every link has content.
const PlainAnchor = forwardRef<HTMLAnchorElement, AnchorProps>(function PlainAnchor({ variant: _v, children, ...props }, ref) {
  return (
    <a ref={ref} {...props}>
      {children}
    </a>
  );
});

const ButtonAnchor = forwardRef<HTMLAnchorElement, AnchorProps>(function ButtonAnchor({ variant = 'primary', className, children, ...props }, ref) {
  const classes = ['ui-button', variant === 'secondary' && 'ui-button--secondary', className].filter(Boolean).join(' ');
  return (
    <a ref={ref} className={classes} {...props}>
      {children}
    </a>
  );
});

const BackAnchor = forwardRef<HTMLAnchorElement, AnchorProps>(function BackAnchor({ className, children, ...props }, ref) {
  return (
    <a ref={ref} className={['ui-back-link', className].filter(Boolean).join(' ')} {...props}>
      {children}
    </a>
  );
});

const CreatedLink = createLink(PlainAnchor);
const CreatedButtonLink = createLink(ButtonAnchor);
const CreatedBackLink = createLink(BackAnchor);

export const Link: LinkComponent<typeof PlainAnchor> = (props) => <CreatedLink preload="intent" {...props} />;
export const ButtonLink: LinkComponent<typeof ButtonAnchor> = (props) => <CreatedButtonLink preload="intent" {...props} />;
export const BackLink: LinkComponent<typeof BackAnchor> = (props) => <CreatedBackLink {...props} />;
