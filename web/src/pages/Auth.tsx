import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session';
import { useEffect } from 'react';
import { Alert, Button, ButtonLink, markInitialPageShown, PageHeading, Spinner, usePageTitle } from '../ui';

/** Where the provider sends the user back; the session provider finishes sign-in here. */
export function AuthCallbackPage() {
  const { t } = useTranslation();
  const session = useSession();
  const failed = (session.problem !== undefined && session.problem !== 'expired') || session.status === 'signedOut' || session.status === 'unavailable';
  usePageTitle(failed ? t('session.failedTitle') : t('session.signingIn'), t('service.name'));
  // The page the user comes back to is a navigation: its heading takes focus.
  useEffect(markInitialPageShown, []);
  if (!failed) return <Spinner label={t('session.signingIn')} />;
  return (
    <>
      <PageHeading>{t('session.failedTitle')}</PageHeading>
      <Alert variant="error">
        <p>{t(`session.problems.${session.problem ?? 'sign-in-failed'}`)}</p>
      </Alert>
      <p>{t('session.publicStillWorks')}</p>
      <ButtonLink to="/">{t('session.backHome')}</ButtonLink>
    </>
  );
}

export function SignedOutPage() {
  const { t } = useTranslation();
  const session = useSession();
  usePageTitle(t('signedOut.title'), t('service.name'));
  return (
    <>
      <PageHeading>{t('signedOut.title')}</PageHeading>
      <p>{t('signedOut.text')}</p>
      <div className="ui-button-group">
        {session.status === 'signedOut' && <Button onClick={() => session.signIn('/demandes')}>{t('signedOut.again')}</Button>}
        <ButtonLink to="/" variant="secondary">
          {t('session.backHome')}
        </ButtonLink>
      </div>
    </>
  );
}
