import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { platformStatusQuery } from '../api/queries';

/**
 * While the platform runs in degraded mode, every signed-in user is told (read every
 * 45 s and when the window gets focus; a failed read shows nothing new).
 */
export default function DegradedBanner() {
  const { t } = useTranslation();
  const status = useQuery(platformStatusQuery);
  return (
    <div role="status" className={status.data?.degraded_mode ? 'ui-banner degraded-banner' : undefined}>
      {status.data?.degraded_mode && (
        <div className="ui-width">
          <p className="degraded-banner__title">{t('degraded.bannerTitle')}</p>
          <p>{t('degraded.bannerText')}</p>
        </div>
      )}
    </div>
  );
}
