// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createMemoryHistory, createRootRoute, createRouter, RouterProvider } from '@tanstack/react-router';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Guarantee, LoanRequest } from '../../api/queries';
import { setUpDialogTests } from '../../test/dialogs';
import { aRequest, problem } from '../../test/fixtures';
import { GuaranteeSection } from './GuaranteeSection';

beforeAll(async () => {
  await setUpDialogTests();
  // The router scrolls to the top after a navigation: jsdom does not.
  window.scrollTo = () => {};
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const IDENTIFIER = 'PGE-NF6Y-Y093-8NKR-E';
const issued = (changes: Partial<Guarantee> = {}): Guarantee => ({
  identifier: IDENTIFIER,
  status: 'issued',
  loan_request_id: aRequest('pre_approved').id,
  siren: '732829320',
  bank_id: '30004',
  amount_cents: 5_000_000,
  issued_at: '2026-03-21T08:15:00Z',
  closed_at: null,
  ...changes,
});

/** The section in a router (it links to the public check) and a query client of its own. */
function show(request: LoanRequest) {
  const rootRoute = createRootRoute({ component: () => <GuaranteeSection request={request} /> });
  const router = createRouter({ routeTree: rootRoute, history: createMemoryHistory({ initialEntries: ['/'] }) });
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
}

/** The API as the section meets it: each call logged, answered by `answer`. */
function api(answer: (method: string, path: string) => Response | undefined) {
  const calls: string[] = [];
  vi.stubGlobal('fetch', async (request: Request) => {
    const path = new URL(request.url).pathname;
    calls.push(`${request.method} ${path}`);
    return answer(request.method, path) ?? problem(404, 'not-found');
  });
  return calls;
}

describe('the State guarantee on the applicant’s page', () => {
  it('is not there before the bank’s agreement', () => {
    const calls = api(() => undefined);
    show(aRequest('in_review'));
    expect(screen.queryByRole('heading', { name: "Garantie de l'État" })).toBeNull();
    expect(calls).toEqual([]);
  });

  it('once pre-approved, obtains the identifier and shows it, its state and its attestation', async () => {
    const calls = api((method, path) => {
      if (method === 'POST' && path.endsWith('/guarantee')) return Response.json(issued(), { status: 201, headers: { ETag: '"5"' } });
      return undefined;
    });
    show(aRequest('pre_approved'));
    const obtain = await screen.findByRole('button', { name: "Obtenir l'identifiant de garantie" });
    expect(screen.getByText(/s'obtient ici, en un clic/)).toBeTruthy();
    fireEvent.click(obtain);
    await screen.findByText("Identifiant de garantie obtenu. L'attestation vous est aussi envoyée par e-mail.");
    // Spelled for screen readers, grouped for the eye.
    expect(screen.getByText('P G E, N F 6 Y, Y 0 9 3, 8 N K R, E')).toBeTruthy();
    expect([...document.querySelectorAll('.reference__group')].map((g) => g.textContent)).toEqual(['PGE', 'NF6Y', 'Y093', '8NKR', 'E']);
    expect(screen.getByText('Valide')).toBeTruthy();
    expect(screen.getByText('Obtenu le 21 mars 2026 à 09:15.')).toBeTruthy();
    expect(screen.getByText(/Transmettez cet identifiant à votre banque/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Télécharger l’attestation (PDF)'.replace('’', "'") })).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: "Garantie de l'État" }));
    expect(calls.filter((c) => c.startsWith('POST'))).toEqual([`POST /api/v1/loan-requests/${aRequest('pre_approved').id}/guarantee`]);
  });

  it('downloads the attestation with the bearer token, as a file named after the identifier', async () => {
    api((_, path) => {
      if (path.endsWith('/attestation')) return new Response('%PDF-1.7', { headers: { 'content-type': 'application/pdf' } });
      if (path.endsWith('/guarantee')) return Response.json(issued());
      return undefined;
    });
    const createObjectURL = vi.fn(() => 'blob:attestation');
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: () => {} }));
    const names: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    show(aRequest('pre_approved'));
    fireEvent.click(await screen.findByRole('button', { name: "Télécharger l'attestation (PDF)" }));
    await waitFor(() => expect(names).toEqual([`attestation-${IDENTIFIER}.pdf`]));
    expect(createObjectURL).toHaveBeenCalledOnce();
    click.mockRestore();
  });

  it('says the refusal in words', async () => {
    api((method, path) => (method === 'POST' && path.endsWith('/guarantee') ? problem(409, 'one-identifier-per-company') : undefined));
    show(aRequest('pre_approved'));
    fireEvent.click(await screen.findByRole('button', { name: "Obtenir l'identifiant de garantie" }));
    expect((await screen.findByRole('alert')).textContent).toContain('une entreprise ne peut détenir qu');
  });

  it('after the grant, says the identifier was used; after a withdrawal, that it was cancelled', async () => {
    api((_, path) => (path.endsWith('/guarantee') ? Response.json(issued({ status: 'used', closed_at: '2026-03-25T14:00:00Z' })) : undefined));
    show(aRequest('granted'));
    await screen.findByText('Utilisée');
    expect(screen.getByText('Votre banque a accordé le prêt sur cet identifiant le 25 mars 2026 à 15:00.')).toBeTruthy();
    cleanup();
    api((_, path) => (path.endsWith('/guarantee') ? Response.json(issued({ status: 'cancelled', closed_at: '2026-03-25T14:00:00Z' })) : undefined));
    show(aRequest('withdrawn'));
    await screen.findByText('Annulée');
    expect(screen.queryByRole('button', { name: /attestation/ })).toBeNull();
    expect(screen.queryByRole('button', { name: "Copier l'identifiant" })).toBeNull();
  });

  it('is not there for a request withdrawn before any identifier was obtained', async () => {
    const calls = api(() => undefined);
    show(aRequest('withdrawn'));
    await waitFor(() => expect(calls).toHaveLength(1));
    await waitFor(() => expect(screen.queryByText('Chargement…')).toBeNull());
    expect(screen.queryByRole('heading', { name: "Garantie de l'État" })).toBeNull();
  });
});
