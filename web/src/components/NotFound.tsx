// "Page not found", or "this request does not exist or is not yours": the words of the
// not-found page, which pages also show for a request they cannot find.
import { useTranslation } from 'react-i18next';
import { Link, PageHeading, usePageTitle } from '../ui';

export function NotFound({ what }: { what?: 'request' }) {
  const { t } = useTranslation();
  usePageTitle(t('notFound.title'), t('service.name'));
  return (
    <>
      <PageHeading>{t('notFound.title')}</PageHeading>
      <p>{what === 'request' ? t('notFound.request') : t('notFound.text')}</p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </>
  );
}
