// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setUpDialogTests } from '../../test/dialogs';
import { AuditIntegrity, headsText } from './AuditIntegrity';

beforeAll(setUpDialogTests);
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const HASH = 'ab'.repeat(32);
const show = () =>
  render(
    <QueryClientProvider client={new QueryClient()}>
      <AuditIntegrity lang="fr" />
    </QueryClientProvider>,
  );
const flat = (el: Element) => el.textContent.replace(/[\u00a0\u202f]/g, ' ');

function api(body: unknown) {
  const calls: string[] = [];
  vi.stubGlobal('fetch', async (request: Request) => {
    calls.push(new URL(request.url).pathname);
    return Response.json(body);
  });
  return calls;
}

describe('the audit trail’s integrity', () => {
  it('is checked only when the admin asks, and says it is intact', async () => {
    const calls = api({ intact: true, unchained_before: 3, chains: [{ chain: '30004-07', events: 1200, head_seq: 1200, head_hash: HASH }] });
    show();
    expect(calls).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Vérifier maintenant' }));
    const status = await screen.findByText('Journal intact');
    expect(calls).toEqual(['/api/v1/admin/audit-chains']);
    expect(status.closest('[role="status"]')).not.toBeNull();
    const section = screen.getByRole('region', { name: "Intégrité du journal d'audit" });
    expect(flat(section)).toContain('Chaînes1');
    expect(flat(section)).toContain('Événements chaînés1 200');
    expect(flat(section)).toContain('Événements antérieurs à la chaîne3');
    expect(section.querySelector('details summary')?.textContent).toBe('Têtes de chaîne (pour un horodatage externe)');
    expect(flat(section)).toContain(HASH);
    expect(screen.queryByText('Premier maillon rompu de chaque chaîne')).toBeNull();
  });

  it('names the first broken link of each broken chain in words', async () => {
    api({
      intact: false,
      unchained_before: 0,
      chains: [
        { chain: '30004-07', events: 10, head_seq: 10, head_hash: HASH },
        { chain: '30003-01', events: 4, head_seq: 4, head_hash: HASH, broken: { seq: 5, problem: 'head-mismatch' } },
      ],
    });
    show();
    fireEvent.click(screen.getByRole('button', { name: 'Vérifier maintenant' }));
    await screen.findByText('Journal altéré');
    screen.getByText('1 chaîne est rompue : voir le premier maillon rompu ci-dessous.');
    const table = screen.getByRole('table', { name: 'Premier maillon rompu de chaque chaîne' });
    expect(flat(table)).toContain('30003-01');
    expect(flat(table)).toContain('Derniers événements supprimés : la tête enregistrée ne correspond plus');
    expect(flat(table)).not.toContain('30004-07');
  });

  it('copies the heads one chain a line', () => {
    expect(
      headsText([
        { chain: '30004-07', events: 2, head_seq: 2, head_hash: HASH },
        { chain: '30003-01', events: 1, head_seq: 1, head_hash: 'cd'.repeat(32) },
      ]),
    ).toBe(`30004-07 2 ${HASH}\n30003-01 1 ${'cd'.repeat(32)}`);
  });
});
