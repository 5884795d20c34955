// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setUpDialogTests } from '../../test/dialogs';
import { minutesSince, OutboxHealth } from './OutboxHealth';

beforeAll(setUpDialogTests);
afterEach(cleanup);

const show = (outbox: { pending: number; sent: number; dead: number; oldest_pending_at?: string | null }) =>
  render(
    <QueryClientProvider client={new QueryClient()}>
      <OutboxHealth outbox={outbox} lang="fr" />
    </QueryClientProvider>,
  );

describe("the outbox's health", () => {
  it('counts whole minutes since the oldest waiting e-mail', () => {
    const now = Date.parse('2026-12-06T10:00:00Z');
    expect(minutesSince('2026-12-06T09:57:30Z', now)).toBe(2);
    expect(minutesSince('2026-12-06T10:05:00Z', now)).toBe(0);
  });

  it('says how late e-mails are, and offers no retry when nothing is dead', () => {
    show({ pending: 3, sent: 40, dead: 0, oldest_pending_at: new Date(Date.now() - 7 * 60_000).toISOString() });
    expect(screen.getByText('Le plus ancien attend depuis 7 minutes.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /en file/ })).toBeNull();
  });

  it('asks before putting dead letters back in line; Cancel changes nothing', () => {
    show({ pending: 0, sent: 40, dead: 2, oldest_pending_at: null });
    expect(screen.getByText('Aucun e-mail n’attend.'.replace('’', "'"))).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Remettre 2 e-mails abandonnés en file…' }));
    const dialog = screen.getByRole('dialog', { name: 'Remettre 2 e-mails en file ?' });
    expect(dialog.textContent).toContain("L'opération est enregistrée à votre nom.");
    expect(document.activeElement?.textContent).toBe('Annuler');
    fireEvent.click(screen.getByRole('button', { name: 'Annuler' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
