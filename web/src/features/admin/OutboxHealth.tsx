// The outbox's health on the national figures page: e-mails waiting and how late the
// oldest is, those sent, the dead letters (given up after every retry), and, when there
// are some, a way to put them back in line once their cause is fixed — confirmed
// first, recorded by the platform with who and when (GET /api/v1/admin/actions).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { isApiError } from '../../api/problem';
import { keys, type Stats } from '../../api/queries';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Alert, Button, ButtonGroup, Dialog } from '../../ui';

/** Whole minutes since `iso` (0 when it is now or in the future). */
export function minutesSince(iso: string, now = Date.now()): number {
  return Math.max(0, Math.floor((now - Date.parse(iso)) / 60_000));
}

export function OutboxHealth({ outbox, lang }: { outbox: Stats['outbox']; lang: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const count = (n: number) => n.toLocaleString(lang === 'en' ? 'en-GB' : 'fr-FR');
  const retry = useMutation({
    mutationFn: async () => (await unwrap(api.POST('/api/v1/admin/outbox/dead-letters/retry'))).data,
    onSuccess: () => {
      setConfirming(false);
      void queryClient.invalidateQueries({ queryKey: keys.stats });
    },
  });
  const late = outbox.oldest_pending_at ? minutesSince(outbox.oldest_pending_at) : undefined;
  return (
    <section aria-labelledby="outbox-title">
      <h2 id="outbox-title">{t('stats.outbox.title')}</h2>
      <ul className="ui-grid ui-grid--4 stats__figures">
        <li className="ui-card">
          <h3>{t('stats.outbox.pending')}</h3>
          <p className="ui-big-figure">{count(outbox.pending)}</p>
          <p>{late === undefined ? t('stats.outbox.noneWaiting') : t('stats.outbox.oldest', { count: late })}</p>
        </li>
        <li className="ui-card">
          <h3>{t('stats.outbox.sent')}</h3>
          <p className="ui-big-figure">{count(outbox.sent)}</p>
        </li>
        <li className="ui-card">
          <h3>{t('stats.outbox.dead')}</h3>
          <p className="ui-big-figure">{count(outbox.dead)}</p>
        </li>
      </ul>
      {retry.isSuccess && (
        <Alert variant="success" live="status">
          <p>{t('stats.outbox.retried', { count: retry.data.retried })}</p>
        </Alert>
      )}
      {outbox.dead > 0 && (
        <>
          <p>{t('stats.outbox.deadHelp')}</p>
          <Button variant="secondary" onClick={() => setConfirming(true)}>
            {t('stats.outbox.retry', { count: outbox.dead })}
          </Button>
        </>
      )}
      <Dialog open={confirming} title={t('stats.outbox.confirmTitle', { count: outbox.dead })} onClose={() => setConfirming(false)} initialFocus={cancelRef}>
        <p>{t('stats.outbox.confirmText', { count: outbox.dead })}</p>
        {retry.isError && isApiError(retry.error) && <ProblemAlert error={retry.error} />}
        <ButtonGroup>
          <Button ref={cancelRef} variant="secondary" onClick={() => setConfirming(false)}>
            {t('stats.outbox.cancel')}
          </Button>
          <Button disabled={retry.isPending} onClick={() => !retry.isPending && retry.mutate()}>
            {t('stats.outbox.confirm', { count: outbox.dead })}
          </Button>
        </ButtonGroup>
      </Dialog>
    </section>
  );
}
