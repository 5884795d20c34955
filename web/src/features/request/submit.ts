// Sending the request: the draft's Idempotency-Key goes with every attempt, so retrying
// after a network failure (or a double click) can never create a second request.
import { api, unwrap } from '../../api/client';
import { isApiError } from '../../api/problem';
import { etagOf, type LoanRequest, type WithEtag } from '../../api/queries';
import { toSubmission } from '../../draft/fields';
import type { Draft } from '../../draft/store';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function submitDraft(draft: Draft, { attempts = 3, backoffMs = 600 } = {}): Promise<WithEtag<LoanRequest>> {
  const body = toSubmission(draft.values);
  for (let attempt = 1; ; attempt++) {
    try {
      const { data, response } = await unwrap(
        api.POST('/api/v1/loan-requests', { body, params: { header: { 'Idempotency-Key': draft.idempotencyKey } } }),
      );
      return { data, etag: etagOf(response, data.version) };
    } catch (e) {
      if (!(isApiError(e) && e.isNetwork) || attempt >= attempts) throw e;
      await sleep(backoffMs * attempt);
    }
  }
}
