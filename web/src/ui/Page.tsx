// Every screen: sets the document title, and after a client-side navigation moves focus
// to the page's heading so screen-reader and keyboard users start at the new content.
import { useEffect, useRef, type ReactNode } from 'react';
import { takeInitialPage } from './initialPage';

export function usePageTitle(title: string, serviceName: string) {
  useEffect(() => {
    document.title = `${title} – ${serviceName}`;
  }, [title, serviceName]);
}

export function PageHeading({ children, caption }: { children: ReactNode; caption?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (takeInitialPage()) return;
    window.scrollTo?.(0, 0);
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {caption && <span className="ui-caption">{caption}</span>}
      {children}
    </h1>
  );
}
