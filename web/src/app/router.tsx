// The route tree (code-based). Public pages load with the app; the request flow, the
// list and the request page are separate chunks loaded on demand. No dots in any path
// segment: the CDN treats those as files.
import { createRootRoute, createRoute, createRouter, lazyRouteComponent } from '@tanstack/react-router';
import { HomePage } from '../pages/Home';
import { NotFoundPage } from '../pages/NotFound';
import { AuthCallbackPage, SignedOutPage } from '../pages/Auth';
import { RequireSignIn } from './RequireSignIn';
import { Layout } from './Layout';

const rootRoute = createRootRoute({ component: Layout, notFoundComponent: NotFoundPage });

const homeRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: HomePage });

const authCallbackRoute = createRoute({ getParentRoute: () => rootRoute, path: '/auth/callback', component: AuthCallbackPage });
const signedOutRoute = createRoute({ getParentRoute: () => rootRoute, path: '/deconnecte', component: SignedOutPage });

/** `?retour=verification`: after this step, go back to "check your answers". */
export type StepSearch = { retour?: 'verification' };
const stepSearch = (s: Record<string, unknown>): StepSearch => (s.retour === 'verification' ? { retour: 'verification' } : {});

const flowRoute = createRoute({ getParentRoute: () => rootRoute, path: '/demande', component: RequireSignIn });
const flow = (name: string) => lazyRouteComponent(() => import('../pages/request/flow'), name as never);

const startRoute = createRoute({ getParentRoute: () => flowRoute, path: '/', component: flow('StartPage') });
const companyRoute = createRoute({ getParentRoute: () => flowRoute, path: 'entreprise', validateSearch: stepSearch, component: flow('CompanyStep') });
const figuresRoute = createRoute({ getParentRoute: () => flowRoute, path: 'chiffres', validateSearch: stepSearch, component: flow('FiguresStep') });
const amountRoute = createRoute({ getParentRoute: () => flowRoute, path: 'montant', validateSearch: stepSearch, component: flow('AmountStep') });
const bankRoute = createRoute({ getParentRoute: () => flowRoute, path: 'banque', validateSearch: stepSearch, component: flow('BankStep') });
const contactRoute = createRoute({ getParentRoute: () => flowRoute, path: 'contact', validateSearch: stepSearch, component: flow('ContactStep') });
const checkRoute = createRoute({ getParentRoute: () => flowRoute, path: 'verification', component: flow('CheckAnswersPage') });
const confirmationRoute = createRoute({
  getParentRoute: () => flowRoute,
  path: 'confirmation',
  validateSearch: (s: Record<string, unknown>): { id: string } => ({ id: typeof s.id === 'string' ? s.id : '' }),
  component: flow('ConfirmationPage'),
});

const requestsRoute = createRoute({ getParentRoute: () => rootRoute, path: '/demandes', component: RequireSignIn });
const listRoute = createRoute({
  getParentRoute: () => requestsRoute,
  path: '/',
  validateSearch: (s: Record<string, unknown>): { cursor?: string } => (typeof s.cursor === 'string' && s.cursor ? { cursor: s.cursor } : {}),
  component: lazyRouteComponent(() => import('../pages/RequestList'), 'RequestListPage'),
});
export type RequestSearch = { message?: 'withdrawn' };
const requestRoute = createRoute({
  getParentRoute: () => requestsRoute,
  path: '$id',
  validateSearch: (s: Record<string, unknown>): RequestSearch => (s.message === 'withdrawn' ? { message: 'withdrawn' } : {}),
  component: lazyRouteComponent(() => import('../pages/request-page/RequestPage'), 'RequestPage'),
});
const withdrawRoute = createRoute({
  getParentRoute: () => requestsRoute,
  path: '$id/retrait',
  component: lazyRouteComponent(() => import('../pages/request-page/WithdrawPage'), 'WithdrawPage'),
});

const routeTree = rootRoute.addChildren([
  homeRoute,
  authCallbackRoute,
  signedOutRoute,
  flowRoute.addChildren([startRoute, companyRoute, figuresRoute, amountRoute, bankRoute, contactRoute, checkRoute, confirmationRoute]),
  requestsRoute.addChildren([listRoute, requestRoute, withdrawRoute]),
]);

export const router = createRouter({
  routeTree,
  defaultPreload: 'intent',
  scrollRestoration: false,
  defaultNotFoundComponent: NotFoundPage,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
