// Page frame: skip link, header (service name, navigation, actions), main, footer.
import type { ReactNode } from 'react';

export function SkipLink({ href = '#main', children }: { href?: string; children: ReactNode }) {
  return (
    <a className="ui-skip-link" href={href}>
      {children}
    </a>
  );
}

export function Header({ brand, navLabel, navItems }: { brand: ReactNode; navLabel: string; navItems: ReactNode[] }) {
  return (
    <header className="ui-header">
      <div className="ui-width ui-header__bar">
        {brand}
        <nav className="ui-header__nav" aria-label={navLabel}>
          <ul>
            {navItems.map((item, i) => (
              <li key={i}>{item}</li>
            ))}
          </ul>
        </nav>
      </div>
    </header>
  );
}

export function Footer({ children }: { children: ReactNode }) {
  return (
    <footer className="ui-footer">
      <div className="ui-width">
        {children}
      </div>
    </footer>
  );
}

export function Main({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="ui-main ui-width" tabIndex={-1}>
      {children}
    </main>
  );
}
