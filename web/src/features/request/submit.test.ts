import { afterEach, describe, expect, it, vi } from 'vitest';
import { emptyValues } from '../../draft/fields';
import { submitDraft } from './submit';

const draft = {
  values: { ...emptyValues(), bank_id: '30004', requested_amount: '50000', contact_email: 'a@b.example' },
  idempotencyKey: 'key-of-this-draft',
  serverErrors: [],
};
const created = { id: 'r1', reference: 'PGE-0J5K8Q2M3RX', version: 1 };

describe('sending a request', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('retries a network failure with the same Idempotency-Key, so it is never created twice', async () => {
    const keys: (string | null)[] = [];
    let calls = 0;
    vi.stubGlobal('fetch', async (request: Request) => {
      keys.push(request.headers.get('Idempotency-Key'));
      if (++calls < 3) throw new TypeError('Failed to fetch');
      return Response.json(created, { status: 201, headers: { ETag: '"1"' } });
    });
    const result = await submitDraft(draft, { backoffMs: 1 });
    expect(result).toEqual({ data: created, etag: '"1"' });
    expect(keys).toEqual(['key-of-this-draft', 'key-of-this-draft', 'key-of-this-draft']);
  });

  it('does not retry an answer from the API (a refusal is shown, not repeated)', async () => {
    const fetch = vi.fn(async () =>
      Response.json({ type: '/problems/validation-failed', status: 422, title: 't', detail: 'd', errors: [{ field: 'contact_email', code: 'invalid-email', message: 'm' }] }, { status: 422, headers: { 'content-type': 'application/problem+json' } }),
    );
    vi.stubGlobal('fetch', fetch);
    await expect(submitDraft(draft, { backoffMs: 1 })).rejects.toMatchObject({ status: 422, fieldErrors: [{ field: 'contact_email', code: 'invalid-email' }] });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('gives up after three network failures, leaving the user a retry with the same key', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(submitDraft(draft, { backoffMs: 1 })).rejects.toMatchObject({ status: 0 });
  });
});
