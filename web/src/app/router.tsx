// The route tree (code-based). Public pages load with the app; the request flow, the
// list and the request page are separate chunks loaded on demand. No dots in any path
// segment: the CDN treats those as files.
import { createRootRoute, createRoute, createRouter, lazyRouteComponent, parseSearchWith, stringifySearchWith } from '@tanstack/react-router';
import { HomePage } from '../pages/Home';
import { NotFoundPage } from '../pages/NotFound';
import { AuthCallbackPage, SignedOutPage } from '../pages/Auth';
import { RequestFlow, RequireSignIn, requireRole } from './RequireSignIn';
import { ADMIN_FILTERS, validateQueueSearch, type QueueSearch } from '../features/backoffice/search';
import { loadBackOfficeStrings, loadGuaranteeStrings } from '../i18n';
import { Layout } from './Layout';
import { RouteError, RoutePending } from './RouteStatus';

const rootRoute = createRootRoute({ component: Layout, notFoundComponent: NotFoundPage });

const homeRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: HomePage });

const authCallbackRoute = createRoute({ getParentRoute: () => rootRoute, path: '/auth/callback', component: AuthCallbackPage });
const signedOutRoute = createRoute({ getParentRoute: () => rootRoute, path: '/deconnecte', component: SignedOutPage });

// The pages a public service must have, linked from every page's footer (one lazy chunk).
const legal = (name: 'AccessibilityPage' | 'LegalNoticePage' | 'PersonalDataPage' | 'HelpPage') => lazyRouteComponent(() => import('../pages/legal/LegalPages'), name);
const accessibilityRoute = createRoute({ getParentRoute: () => rootRoute, path: '/accessibilite', component: legal('AccessibilityPage') });
const legalNoticeRoute = createRoute({ getParentRoute: () => rootRoute, path: '/mentions-legales', component: legal('LegalNoticePage') });
const personalDataRoute = createRoute({ getParentRoute: () => rootRoute, path: '/donnees-personnelles', component: legal('PersonalDataPage') });
const helpRoute = createRoute({ getParentRoute: () => rootRoute, path: '/aide', component: legal('HelpPage') });

// The public check of a guarantee identifier (no sign-in; the attestation prints its address).
const verifyRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/verifier',
  beforeLoad: loadGuaranteeStrings,
  component: lazyRouteComponent(() => import('../pages/VerifyPage'), 'VerifyPage'),
});

/** `?retour=verification`: after this step, go back to "check your answers". */
export type StepSearch = { retour?: 'verification' };
const stepSearch = (s: Record<string, unknown>): StepSearch => (s.retour === 'verification' ? { retour: 'verification' } : {});

const flowRoute = createRoute({ getParentRoute: () => rootRoute, path: '/demande', component: RequestFlow });
const flow = (name: keyof typeof import('./requestFlow')) => lazyRouteComponent(() => import('./requestFlow'), name);

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
  beforeLoad: loadGuaranteeStrings,
  validateSearch: (s: Record<string, unknown>): RequestSearch => (s.message === 'withdrawn' ? { message: 'withdrawn' } : {}),
  component: lazyRouteComponent(() => import('../pages/request-page/RequestPage'), 'RequestPage'),
});
const withdrawRoute = createRoute({
  getParentRoute: () => requestsRoute,
  path: '$id/retrait',
  beforeLoad: loadGuaranteeStrings,
  component: lazyRouteComponent(() => import('../pages/request-page/WithdrawPage'), 'WithdrawPage'),
});

// The back office: a bank reviewer's queue and requests; the admin area. Their words,
// and the guarantee's (a request's guarantee is shown there too).
const backOfficeStrings = async () => {
  await Promise.all([loadBackOfficeStrings(), loadGuaranteeStrings()]);
};
const reviewerRoute = createRoute({ getParentRoute: () => rootRoute, path: '/instruction', beforeLoad: backOfficeStrings, component: requireRole('reviewer') });
const queueRoute = createRoute({
  getParentRoute: () => reviewerRoute,
  path: '/',
  validateSearch: (s: Record<string, unknown>): QueueSearch => validateQueueSearch(s),
  component: lazyRouteComponent(() => import('../pages/backoffice/QueuePage'), 'QueuePage'),
});
const reviewRoute = createRoute({
  getParentRoute: () => reviewerRoute,
  path: '$id',
  component: lazyRouteComponent(() => import('../pages/backoffice/ReviewPage'), 'ReviewPage'),
});

const adminGuardRoute = createRoute({ getParentRoute: () => rootRoute, path: '/admin', beforeLoad: backOfficeStrings, component: requireRole('admin') });
const adminRoute = createRoute({
  getParentRoute: () => adminGuardRoute,
  id: 'area',
  component: lazyRouteComponent(() => import('../pages/admin/AdminArea'), 'AdminArea'),
});
const statsRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: '/',
  component: lazyRouteComponent(() => import('../pages/admin/StatsPage'), 'StatsPage'),
});
// The national list of requests (the queue's filters plus the bank) and one request, read-only.
const requestsAdminRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'demandes',
  validateSearch: (s: Record<string, unknown>): QueueSearch => validateQueueSearch(s, ADMIN_FILTERS),
  component: lazyRouteComponent(() => import('../pages/admin/RequestsPage'), 'RequestsPage'),
});
const requestAdminRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'demandes/$id',
  component: lazyRouteComponent(() => import('../pages/admin/RequestPage'), 'RequestPage'),
});
const banksAdminRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'banques',
  component: lazyRouteComponent(() => import('../pages/admin/BanksPage'), 'BanksPage'),
});
const degradedRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'mode-degrade',
  component: lazyRouteComponent(() => import('../pages/admin/DegradedPage'), 'DegradedPage'),
});

const routeTree = rootRoute.addChildren([
  homeRoute,
  authCallbackRoute,
  signedOutRoute,
  accessibilityRoute,
  legalNoticeRoute,
  personalDataRoute,
  helpRoute,
  verifyRoute,
  flowRoute.addChildren([startRoute, companyRoute, figuresRoute, amountRoute, bankRoute, contactRoute, checkRoute, confirmationRoute]),
  requestsRoute.addChildren([listRoute, requestRoute, withdrawRoute]),
  reviewerRoute.addChildren([queueRoute, reviewRoute]),
  adminGuardRoute.addChildren([adminRoute.addChildren([statsRoute, requestsAdminRoute, requestAdminRoute, banksAdminRoute, degradedRoute])]),
]);

export const router = createRouter({
  routeTree,
  defaultPreload: 'intent',
  scrollRestoration: false,
  defaultNotFoundComponent: NotFoundPage,
  // In the user's language, never the router's English defaults: while a route's code
  // loads, and when it fails (a render error, a lazy chunk that did not load).
  defaultPendingComponent: RoutePending,
  defaultErrorComponent: RouteError,
  // Plain query strings (`?siren=732829320`, not JSON-quoted `%22…%22`): links people
  // share or type by hand read as they look; every search param here is a string.
  parseSearch: parseSearchWith((value) => value),
  stringifySearch: stringifySearchWith(JSON.stringify),
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
