// Degraded mode: the platform keeps taking requests and decisions, and defers what can
// wait (figures, exports, document listings). Switched with a confirmation.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { isApiError } from '../../api/problem';
import { degradedModeQuery } from '../../api/queries';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Alert, Button, ButtonGroup, Dialog, PageHeading, Spinner, Tag, usePageTitle } from '../../ui';

export function DegradedPage() {
  const { t } = useTranslation();
  const mode = useQuery(degradedModeQuery);
  const [confirming, setConfirming] = useState(false);
  usePageTitle(t('degraded.title'), t('service.name'));
  const change = useMutation({
    mutationFn: async (enabled: boolean) => (await unwrap(api.PUT('/api/v1/admin/degraded-mode', { body: { enabled } }))).data,
    onSuccess: () => setConfirming(false),
  });
  const enabled = mode.data?.enabled;
  const error = change.error && isApiError(change.error) ? change.error : undefined;
  return (
    <>
      <PageHeading>{t('degraded.title')}</PageHeading>
      <p className="ui-measure">{t('degraded.intro')}</p>
      {mode.isPending && <Spinner label={t('common.loading')} />}
      {mode.isError && isApiError(mode.error) && <ProblemAlert error={mode.error} onRetry={() => void mode.refetch()} />}
      {change.isSuccess && (
        <Alert variant="success" live="status">
          <p>{change.data.enabled ? t('degraded.nowOn') : t('degraded.nowOff')}</p>
        </Alert>
      )}
      {error && !confirming && <ProblemAlert error={error} />}
      {enabled !== undefined && (
        <>
          <p className="status-line">
            <span>{t('degraded.state')}</span>
            <Tag colour={enabled ? 'orange' : 'green'}>{enabled ? t('degraded.on') : t('degraded.off')}</Tag>
          </p>
          <Button variant={enabled ? 'primary' : 'warning'} onClick={() => setConfirming(true)}>
            {enabled ? t('degraded.switchOff') : t('degraded.switchOn')}
          </Button>
          <Dialog open={confirming} title={enabled ? t('degraded.confirmOffTitle') : t('degraded.confirmOnTitle')} onClose={() => setConfirming(false)}>
            <p>{enabled ? t('degraded.confirmOffText') : t('degraded.confirmOnText')}</p>
            {error && <ProblemAlert error={error} />}
            <ButtonGroup>
              <Button variant={enabled ? 'primary' : 'warning'} disabled={change.isPending} onClick={() => !change.isPending && change.mutate(!enabled)}>
                {change.isPending ? t('degraded.switching') : enabled ? t('degraded.confirmOff') : t('degraded.confirmOn')}
              </Button>
              <Button variant="secondary" onClick={() => setConfirming(false)}>
                {t('degraded.cancel')}
              </Button>
            </ButtonGroup>
          </Dialog>
        </>
      )}
    </>
  );
}
