import { Outlet, useRouterState } from '@tanstack/react-router';
import type { TFunction } from 'i18next';
import { lazy, Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role } from '../auth/config';
import { useSession } from '../auth/session';
import { OPERATOR } from '../legal/operator';
import { LEGAL_PAGES } from '../legal/pages';
import { switchLanguage } from './language';
import { SessionWarning } from './SessionWarning';
import { Footer, Header, Link, Main, SkipLink, UiStringsProvider } from '../ui';

// Signed-in users only (after the sign-in code has loaded): kept out of the first paint.
const DegradedBanner = lazy(() => import('./DegradedBanner'));

export function Layout() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const path = useRouterState({ select: (s) => s.location.pathname });
  const errorPrefix = t('common.errorPrefix');
  const uiStrings = useMemo(() => ({ errorPrefix }), [errorPrefix]);
  const other = i18n.language === 'en' ? 'fr' : 'en';

  const backOffice = session.status === 'signedIn' && (session.role === 'reviewer' || session.role === 'admin');
  const navItems = [
    ...(backOffice
      ? []
      : [
          <Link to="/" hash="simulateur">
            {t('nav.simulate')}
          </Link>,
        ]),
    ...(session.status === 'signedIn' ? roleLinks(session.role, path, t) : []),
    <button type="button" lang={other} onClick={() => void switchLanguage(other)}>
      {t('nav.otherLanguage')}
    </button>,
    ...(session.status === 'signedIn'
      ? [
          <span className="ui-header__user">{t('nav.signedInAs', { name: session.displayName })}</span>,
          <button type="button" onClick={session.signOut}>
            {t('nav.signOut')}
          </button>,
        ]
      : session.status === 'signedOut'
        ? [
            <button type="button" onClick={() => session.signIn()}>
              {t('nav.signIn')}
            </button>,
          ]
        : []),
  ];

  return (
    <UiStringsProvider value={uiStrings}>
      <SkipLink>{t('nav.skip')}</SkipLink>
      <Header
        navLabel={t('nav.label')}
        brand={
          <Link to="/" className="ui-header__brand">
            <svg className="ui-header__logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
              <rect width="32" height="32" rx="6" fill="#fff" />
              <path d="M9 23V9h7.5a4.5 4.5 0 0 1 0 9H13v5z" fill="#1d3f72" />
              <path d="M13 12.5v2.5h3.3a1.25 1.25 0 0 0 0-2.5z" fill="#fff" />
            </svg>
            <span>{t('service.name')}</span>
          </Link>
        }
        navItems={navItems}
      />
      {session.problem && session.problem !== 'expired' && (
        <div className="ui-banner" role="status">
          <p className="ui-width">{t(`session.problems.${session.problem}`)}</p>
        </div>
      )}
      <SessionWarning />
      {session.status === 'signedIn' && (
        <Suspense fallback={null}>
          <DegradedBanner />
        </Suspense>
      )}
      <Main>
        <Outlet />
      </Main>
      <Footer>
        <p>{t('footer.text')}</p>
        <nav aria-label={t('footer.linksLabel')}>
          <ul>
            <li>
              <Link to="/">{t('footer.home')}</Link>
            </li>
            {LEGAL_PAGES.map(({ to, title }) => (
              <li key={to}>
                <Link to={to}>
                  {/* RGAA: every page's footer says the conformity status. */}
                  {to === '/accessibilite' ? t('footer.accessibility', { status: t(`legal.conformity.${OPERATOR.accessibility.status}`) }) : t(title)}
                </Link>
              </li>
            ))}
            <li>
              <Link to="/verifier">{t('footer.verify')}</Link>
            </li>
            <li>
              <a href="/docs">{t('footer.api')}</a>
            </li>
          </ul>
        </nav>
      </Footer>
    </UiStringsProvider>
  );
}

/** The header's links for the signed-in role (the page's own marked current). */
function roleLinks(role: Role | undefined, path: string, t: TFunction) {
  const current = (prefix: string) => (path === prefix || path.startsWith(`${prefix}/`) ? ('page' as const) : undefined);
  if (role === 'reviewer')
    return [
      <Link to="/instruction" aria-current={current('/instruction')}>
        {t('nav.queue')}
      </Link>,
    ];
  if (role === 'admin')
    return [
      <Link to="/admin" aria-current={current('/admin')}>
        {t('nav.admin')}
      </Link>,
    ];
  return [
    <Link to="/demandes" aria-current={current('/demandes')}>
      {t('nav.requests')}
    </Link>,
  ];
}
