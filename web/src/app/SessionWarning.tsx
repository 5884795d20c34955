import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session';
import { Button } from '../ui';

/**
 * Tells a signed-in user, before their session ends, that it could not be renewed (the
 * refresh token expired or was revoked, or the network failed), with a way to stay
 * signed in: renew now, or sign in again and come back to the same page.
 */
export function SessionWarning() {
  const { t } = useTranslation();
  const session = useSession();
  const [now, setNow] = useState(() => Date.now() / 1000);
  const shown = session.status === 'signedIn' && !!session.renewalFailed && session.expiresAt !== undefined;
  useEffect(() => {
    if (!shown) return;
    const timer = setInterval(() => setNow(Date.now() / 1000), 5000);
    return () => clearInterval(timer);
  }, [shown]);
  return (
    <div role="alert" className={shown ? 'ui-banner session-warning' : undefined}>
      {shown && (
        <div className="ui-width">
          <p className="session-warning__title">
            {session.expiresAt! > now ? t('session.endingTitle', { minutes: Math.max(1, Math.ceil((session.expiresAt! - now) / 60)) }) : t('session.endedTitle')}
          </p>
          <p>{t('session.endingText')}</p>
          <Button onClick={() => session.stay?.()}>{t('session.stay')}</Button>
        </div>
      )}
    </div>
  );
}
