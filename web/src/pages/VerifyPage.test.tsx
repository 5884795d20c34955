// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setUpDialogTests } from '../test/dialogs';
import { problem } from '../test/fixtures';
import { VerifyPage } from './VerifyPage';

beforeAll(async () => {
  await setUpDialogTests();
  window.scrollTo = () => {};
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const show = () =>
  render(
    <QueryClientProvider client={new QueryClient()}>
      <VerifyPage />
    </QueryClientProvider>,
  );

/** The public check's answers; the bodies sent are kept. */
function api(answer: () => Response) {
  const sent: unknown[] = [];
  vi.stubGlobal('fetch', async (request: Request) => {
    sent.push(await request.json());
    return answer();
  });
  return sent;
}

const fill = (identifier: string, siren: string) => {
  fireEvent.change(screen.getByLabelText('Identifiant de garantie'), { target: { value: identifier } });
  fireEvent.change(screen.getByLabelText("SIREN de l'entreprise"), { target: { value: siren } });
  fireEvent.click(screen.getByRole('button', { name: 'Vérifier la garantie' }));
};

describe('the public check of a guarantee', () => {
  it('checks both fields as typed, before asking anything', () => {
    const sent = api(() => Response.json({ status: 'valid' }));
    show();
    fill('PGE-NF6Y-Y093-8NKR-F', '732829321');
    const summary = screen.getByRole('alert');
    expect(summary.textContent).toContain("Un caractère de l'identifiant est mal saisi");
    expect(summary.textContent).toContain("Ce numéro SIREN n'existe pas");
    expect(document.activeElement).toBe(summary);
    expect(screen.getByLabelText('Identifiant de garantie').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText("SIREN de l'entreprise").getAttribute('aria-invalid')).toBe('true');
    expect(sent).toEqual([]);
  });

  it('says a guarantee is valid, used or cancelled', async () => {
    for (const [status, title] of [
      ['valid', 'Garantie valide'],
      ['used', 'Garantie utilisée (prêt accordé)'],
      ['cancelled', 'Garantie annulée'],
    ] as const) {
      const sent = api(() => Response.json({ status }));
      show();
      fill(' pge nf6y y093 8nkr e ', '732 829 320');
      await screen.findByText(title);
      expect(screen.getByText('Identifiant PGE-NF6Y-Y093-8NKR-E, SIREN 732829320.')).toBeTruthy();
      expect(sent).toEqual([{ identifier: 'pge nf6y y093 8nkr e', siren: '732829320' }]);
      cleanup();
    }
  });

  it('gives one answer when nothing matches, and puts the API’s refusals on their fields', async () => {
    api(() => problem(404, 'not-found'));
    show();
    fill('PGE-0000-0000-0001-2', '732829320');
    await screen.findByText('Aucune garantie ne correspond à cet identifiant et ce SIREN');
    cleanup();
    api(() => problem(422, 'validation-failed', { errors: [{ field: 'siren', code: 'invalid-format', message: 'nine digits' }] }));
    show();
    fill('PGE-0000-0000-0001-2', '732829320');
    await screen.findByText('Le numéro SIREN comporte 9 chiffres.', { selector: '.ui-error-message' });
    expect(screen.getByLabelText("SIREN de l'entreprise").getAttribute('aria-invalid')).toBe('true');
  });

  it('says how long to wait after too many checks', async () => {
    api(() => problem(429, 'rate-limited', {}, { 'Retry-After': '42' }));
    show();
    fill('PGE-0000-0000-0001-2', '732829320');
    await screen.findByText('Trop de vérifications');
    expect(screen.getByText(/Réessayez dans 42 secondes\./)).toBeTruthy();
  });
});
