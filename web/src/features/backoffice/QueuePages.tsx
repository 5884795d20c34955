// What a list of requests says about the page it shows: how many requests its filters
// match (exact, or "more than N"), and the links to the first, previous and next pages
// (keyset cursors, kept in the URL with the filters).
import { useTranslation } from 'react-i18next';
import type { components } from '../../api/schema';
import { Link } from '../../ui';
import { hasFilters, type QueueRoute, type QueueSearch } from './filters';

type LoanRequestPage = components['schemas']['LoanRequestPage'];

/** A live status line: announced when the filters change what matches. */
export function QueueCount({ search, page, empty }: { search: QueueSearch; page: LoanRequestPage | undefined; empty: string }) {
  const { t } = useTranslation();
  return (
    <p role="status" className="queue__count">
      {page &&
        (page.total === 0
          ? hasFilters(search)
            ? t('queue.noneMatching')
            : empty
          : page.total_is_lower_bound
            ? t('queue.totalMore', { count: page.total })
            : t('queue.total', { count: page.total }))}
    </p>
  );
}

export function QueuePagination({ to, search, page, label }: { to: QueueRoute; search: QueueSearch; page: LoanRequestPage | undefined; label: string }) {
  const { t } = useTranslation();
  // The first page has no cursor.
  const links: { key: 'first' | 'previous' | 'next'; cursor: string | undefined }[] = [];
  if (search.cursor) links.push({ key: 'first', cursor: undefined });
  if (page?.prev_cursor) links.push({ key: 'previous', cursor: page.prev_cursor });
  if (page?.next_cursor) links.push({ key: 'next', cursor: page.next_cursor });
  if (!search.cursor && !page?.next_cursor) return null;
  return (
    <nav aria-label={label}>
      <ul className="pagination">
        {links.map(({ key, cursor }) => (
          <li key={key}>
            <Link to={to} search={{ ...search, cursor }}>
              {t(`queue.${key}`)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
