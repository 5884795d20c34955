// Pages behind sign-in: a signed-out visitor is sent to the provider and brought back
// here (the draft travels along); if sign-in cannot work, they are told why.
import { Outlet } from '@tanstack/react-router';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role } from '../auth/config';
import { useSession } from '../auth/session';
import { Alert, Button, ButtonLink, PageHeading, Spinner, usePageTitle } from '../ui';
import { HOME_OF } from '../auth/config';
import { useServerDraft } from '../draft/useServerDraft';

export function RequireSignIn() {
  const { t } = useTranslation();
  const session = useSession();
  const blocked = session.problem !== undefined && session.problem !== 'expired';
  const redirecting = session.status === 'signedOut' && !blocked;

  useEffect(() => {
    if (redirecting) session.signIn();
  }, [redirecting, session]);

  if (session.status === 'signedIn') return <Outlet />;
  if (session.status === 'loading' || redirecting) return <Spinner label={t('session.redirecting')} />;
  return <SignInNeeded />;
}

function SignInNeeded() {
  const { t } = useTranslation();
  const session = useSession();
  usePageTitle(t('session.neededTitle'), t('service.name'));
  return (
    <>
      <PageHeading>{t('session.neededTitle')}</PageHeading>
      <Alert variant="error" title={t('session.unavailableTitle')}>
        <p>{t(`session.problems.${session.problem ?? 'config-unreachable'}`)}</p>
      </Alert>
      <p>{t('session.publicStillWorks')}</p>
      <div className="ui-button-group">
        {session.status === 'signedOut' && <Button onClick={() => session.signIn()}>{t('nav.signIn')}</Button>}
        <ButtonLink to="/" variant="secondary">
          {t('session.backHome')}
        </ButtonLink>
      </div>
    </>
  );
}

/** Pages of one role (the back office): signed in first, then the role checked. */
export function requireRole(role: Role) {
  return function RequireRole() {
    const session = useSession();
    if (session.status !== 'signedIn') return <RequireSignIn />;
    return session.role === role ? <Outlet /> : <WrongRole />;
  };
}

function WrongRole() {
  const { t } = useTranslation();
  const session = useSession();
  usePageTitle(t('session.wrongRoleTitle'), t('service.name'));
  return (
    <>
      <PageHeading>{t('session.wrongRoleTitle')}</PageHeading>
      <p>{t('session.wrongRoleText')}</p>
      <ButtonLink to={session.role ? HOME_OF[session.role] : '/'}>{t('session.wrongRoleHome')}</ButtonLink>
    </>
  );
}

/** The request's steps: behind sign-in, the answers also kept on the server. */
export function RequestFlow() {
  const { t } = useTranslation();
  const ready = useServerDraft();
  return ready ? <RequireSignIn /> : <Spinner label={t('common.loading')} />;
}
