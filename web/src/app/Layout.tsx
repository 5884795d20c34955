import { Outlet, useRouterState } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session';
import { setLanguage } from '../i18n';
import { Footer, Header, Link, Main, SkipLink, uiStrings } from '../ui';

export function Layout() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const path = useRouterState({ select: (s) => s.location.pathname });
  uiStrings.errorPrefix = t('common.errorPrefix');
  const other = i18n.language === 'en' ? 'fr' : 'en';

  const navItems = [
    <Link to="/" hash="simulateur">
      {t('nav.simulate')}
    </Link>,
    ...(session.status === 'signedIn'
      ? [
          <Link to="/demandes" aria-current={path.startsWith('/demandes') ? 'page' : undefined}>
            {t('nav.requests')}
          </Link>,
        ]
      : []),
    <button type="button" lang={other} onClick={() => void setLanguage(other)}>
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
    <>
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
      <Main>
        <Outlet />
      </Main>
      <Footer>
        <p>{t('footer.text')}</p>
        <ul>
          <li>
            <Link to="/">{t('footer.home')}</Link>
          </li>
          <li>
            <a href="/docs">{t('footer.api')}</a>
          </li>
        </ul>
      </Footer>
    </>
  );
}
