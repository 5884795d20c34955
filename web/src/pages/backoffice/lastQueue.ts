// The queue's filters as last seen, so "back to the queue" from a request keeps them.
import type { QueueSearch } from '../../features/backoffice/filters';

let last: QueueSearch = {};

export function rememberQueueSearch(search: QueueSearch) {
  last = search;
}

export const lastQueueSearch = (): QueueSearch => last;
