// The CSV export of what the filters show, fetched with the bearer token and saved.
import { api, saveBlob, unwrap } from '../../api/client';
import { exportQuery, type QueueSearch } from './filters';

export function exportFilename(search: QueueSearch, today: string) {
  const parts = ['demandes', search.bank && `banque-${search.bank}`, search.status, search.siren, search.created_from && `du-${search.created_from}`, search.created_to && `au-${search.created_to}`, today];
  return `${parts.filter(Boolean).join('-')}.csv`;
}

export async function downloadExport(search: QueueSearch, today: string) {
  const { data } = await unwrap(api.GET('/api/v1/exports/loan-requests.csv', { params: { query: exportQuery(search) }, parseAs: 'blob' }));
  saveBlob(data, exportFilename(search, today));
}
