// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/problem';
import { setUpDialogTests } from '../test/dialogs';
import { RouteError } from './RouteStatus';

// The router is not what is tested here: its hooks give nothing the screen depends on.
vi.mock('@tanstack/react-router', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@tanstack/react-router')>()),
  useRouter: () => ({ invalidate: () => Promise.resolve() }),
}));
vi.mock('../ui', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../ui')>()),
  Link: ({ children }: { children: React.ReactNode }) => <a href="/">{children}</a>,
}));

beforeAll(setUpDialogTests);
afterEach(cleanup);

const show = (error: Error) =>
  render(
    <QueryClientProvider client={new QueryClient()}>
      <RouteError error={error} reset={() => {}} />
    </QueryClientProvider>,
  );

describe('a route that fails', () => {
  it('says a render error in French, never the router’s English default', () => {
    show(new TypeError("Cannot read properties of null (reading 'map')"));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Cette page a rencontré une erreur');
    expect(document.body.textContent).not.toContain('Something went wrong');
    expect(document.body.textContent).not.toContain('Cannot read properties');
    expect(screen.getByRole('button', { name: 'Réessayer' })).toBeTruthy();
  });

  it('says a page whose code could not be downloaded, and offers to reload', () => {
    show(new TypeError('Failed to fetch dynamically imported module: /assets/LegalPages-abc.js'));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe("Cette page n'a pas pu être chargée");
    expect(screen.getByRole('button', { name: 'Recharger la page' })).toBeTruthy();
  });

  it('words an API refusal in French, without the API’s English detail', () => {
    show(new ApiError(403, { type: '/problems/forbidden', title: 'Forbidden', status: 403, detail: 'this route is for applicants only' }));
    expect(document.body.textContent).toContain('Votre compte ne permet pas cette action.');
    expect(document.body.textContent).not.toContain('applicants only');
  });
});
