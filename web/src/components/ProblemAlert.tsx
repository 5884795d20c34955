import { useTranslation } from 'react-i18next';
import type { ApiError } from '../api/problem';
import { problemText } from '../i18n/errors';
import { Alert, Button } from '../ui';

/** Any failed API call, said plainly (with the API's detail on English pages) and an optional retry. */
export function ProblemAlert({ error, onRetry, showDetail = true }: { error: ApiError; onRetry?: () => void; showDetail?: boolean }) {
  const { t, i18n } = useTranslation();
  const { title, text, detail } = problemText(t, error, i18n.language);
  return (
    <Alert variant="error" title={title} live="alert">
      <p>{text}</p>
      {showDetail && detail && (
        <p>
          {t('problems.detail')} {detail}
        </p>
      )}
      {error.status >= 500 && error.requestId && (
        <p>
          {t('problems.reference')} <code>{error.requestId}</code>
        </p>
      )}
      {onRetry && (
        <Button variant="secondary" onClick={onRetry}>
          {t('common.retry')}
        </Button>
      )}
    </Alert>
  );
}
