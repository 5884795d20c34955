// Each list's filters as last seen, so "back to the list" from a request keeps them.
import type { QueueRoute, QueueSearch } from './filters';

const last: Partial<Record<QueueRoute, QueueSearch>> = {};

export function rememberQueueSearch(list: QueueRoute, search: QueueSearch) {
  last[list] = search;
}

export const lastQueueSearch = (list: QueueRoute): QueueSearch => last[list] ?? {};
