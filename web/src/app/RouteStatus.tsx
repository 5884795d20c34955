// What a route shows while its code loads, and when it fails, in the user's language
// (instead of the router's English defaults): a page that could not be loaded (a lazy
// chunk missing after a new version was published, or the network) offers to reload;
// any other error offers to try again (with the page's data read afresh).
import { useQueryClient } from '@tanstack/react-query';
import { useRouter, type ErrorComponentProps } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/problem';
import { problemText } from '../i18n/errors';
import { Button, ButtonGroup, Link, PageHeading, Spinner, usePageTitle } from '../ui';

/** A dynamic import that failed (the messages of Chromium, Firefox and Safari). */
export function isChunkLoadError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /^(Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed)/.test(message);
}

export function RoutePending() {
  const { t } = useTranslation();
  return <Spinner label={t('common.loading')} />;
}

export function RouteError({ error, reset }: ErrorComponentProps) {
  const { t, i18n } = useTranslation();
  const router = useRouter();
  const queryClient = useQueryClient();
  const chunk = isChunkLoadError(error);
  const title = chunk ? t('routeError.chunkTitle') : t('routeError.title');
  usePageTitle(title, t('service.name'));
  const retry = async () => {
    // What the page rendered from may be what broke it: read it afresh.
    await queryClient.resetQueries();
    reset();
    void router.invalidate();
  };
  return (
    <>
      <PageHeading>{title}</PageHeading>
      <p>{chunk ? t('routeError.chunkText') : isApiError(error) ? problemText(t, error, i18n.language).text : t('routeError.text')}</p>
      <ButtonGroup>
        {chunk ? (
          <Button onClick={() => window.location.reload()}>{t('routeError.reload')}</Button>
        ) : (
          <Button onClick={() => void retry()}>{t('common.retry')}</Button>
        )}
        <Link to="/">{t('notFound.home')}</Link>
      </ButtonGroup>
    </>
  );
}
