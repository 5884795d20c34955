// Sign-in with OpenID Connect, one code path for Cognito and the dev provider:
// authorization code + PKCE (S256) through oidc-client-ts, no client secret. The session
// is the browser's, shared by its tabs (the user in localStorage; a sign-in's PKCE state
// stays in the tab that started it). The ID token is checked against the configured
// issuer and client; the access token is what the API gets. Tokens are renewed with the
// refresh token before they expire, and once more when the API answers 401; sign-out
// revokes the refresh token and signs every tab out.
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { useEffect, useMemo, useRef, useState } from 'react';
import { AuthProvider, useAuth } from 'react-oidc-context';
import { setAccessToken, setRenewer, setUnauthorizedHandler } from '../api/client';
import { clearKeptTexts } from '../draft/kept';
import { clearDraft, readDraft, restoreDraft } from '../draft/store';
import {
  audienceOf,
  idTokenProblem,
  landingPath,
  providerFor,
  roleOf,
  safeReturnPath,
  storeAudience,
  storedAudience,
  type ProviderConfig,
  type RuntimeConfig,
  type TokenProblem,
} from './config';
import { SIGNED_OUT_FLAG, type Session, type SessionProblem } from './session';

const SIGNED_IN_AT = 'pge.signedInAt';
const here = () => location.pathname + location.search;
/** Renewal starts this long before the access token expires. */
export const RENEW_BEFORE_SECONDS = 30;
/** The tabs of this browser tell each other of a sign-out on this channel. */
const CHANNEL = 'pge.session';
const SIGNED_OUT_MESSAGE = 'signed-out';

interface Props {
  config: RuntimeConfig;
  navigate: (path: string) => void;
  onUserChange: () => void;
  onSession: (session: Session) => void;
}

function makeUserManager(config: ProviderConfig) {
  return new UserManager({
    authority: config.authority,
    client_id: config.client_id,
    scope: config.scope,
    redirect_uri: `${location.origin}/auth/callback`,
    post_logout_redirect_uri: `${location.origin}/`,
    response_type: 'code',
    userStore: new WebStorageStateStore({ store: localStorage }),
    stateStore: new WebStorageStateStore({ store: sessionStorage }),
    // With a refresh token, signinSilent is a token request (no iframe, no prompt).
    automaticSilentRenew: true,
    accessTokenExpiringNotificationTimeInSeconds: RENEW_BEFORE_SECONDS,
    revokeTokenTypes: ['refresh_token'],
    metadataSeed: config.revocation_url ? { revocation_endpoint: config.revocation_url } : undefined,
    loadUserInfo: false,
    monitorSession: false,
  });
}

export function OidcSession({ config: runtime, navigate, onUserChange, onSession }: Props) {
  // The provider this browser's session is with: the business owners' or, when bank
  // staff sign in apart (MFA required there), the staff's, chosen by the page that asked
  // for a sign-in and remembered across the redirect.
  const config = useMemo(() => providerFor(runtime, storedAudience()), [runtime]);
  const userManager = useMemo(() => makeUserManager(config), [config]);
  const [rejected, setRejected] = useState<TokenProblem>();
  // The issuer a token must come from is the one the provider's discovery document names.
  const [issuer, setIssuer] = useState<string | null>();
  useEffect(() => {
    userManager.metadataService.getIssuer().then(setIssuer, () => setIssuer(null));
  }, [userManager]);

  const onSigninCallback = async (user: User | undefined) => {
    const state = (user?.state ?? {}) as { returnTo?: unknown; draft?: unknown };
    const expected = { issuer: await userManager.metadataService.getIssuer(), client_id: config.client_id };
    const problem = idTokenProblem(user?.id_token, expected);
    if (problem) {
      await userManager.removeUser();
      setRejected(problem);
      navigate('/auth/callback');
      return;
    }
    restoreDraft(state.draft);
    sessionStorage.setItem(SIGNED_IN_AT, String(Date.now()));
    // A reviewer lands on their bank's queue, an admin on the admin area.
    navigate(landingPath(roleOf(user?.profile), safeReturnPath(state.returnTo)));
  };

  useEffect(() => {
    if (issuer === null) onSession({ status: 'unavailable', problem: 'config-unreachable', signIn() {}, signOut() {} });
  }, [issuer, onSession]);
  if (!issuer) return null;
  return (
    <AuthProvider userManager={userManager} onSigninCallback={onSigninCallback} skipSigninCallback={location.pathname !== '/auth/callback'}>
      <Reporter runtime={runtime} config={config} issuer={issuer} userManager={userManager} rejected={rejected} setRejected={setRejected} onUserChange={onUserChange} onSession={onSession} />
    </AuthProvider>
  );
}

function Reporter({
  runtime,
  config,
  issuer,
  userManager,
  rejected,
  setRejected,
  onUserChange,
  onSession,
}: {
  runtime: RuntimeConfig;
  config: ProviderConfig;
  issuer: string;
  userManager: UserManager;
  rejected: TokenProblem | undefined;
  setRejected: (p: TokenProblem | undefined) => void;
  onUserChange: () => void;
  onSession: (session: Session) => void;
}) {
  const auth = useAuth();
  // Between removing the user and the provider's logout page: neither signed in nor
  // out (a protected page must not start a new sign-in meanwhile).
  const [leaving, setLeaving] = useState(false);
  // The last renewal failed (the refresh token expired or was revoked, or the network):
  // the session ends with the access token unless the user acts.
  const [renewalFailed, setRenewalFailed] = useState(false);
  const user = auth.user ?? undefined;
  const tokenProblem = user ? idTokenProblem(user.id_token, { issuer, client_id: config.client_id }) : undefined;
  // Back after the tokens expired (a closed laptop, a tab reopened): the refresh token
  // may still hold the session.
  const stale = tokenProblem === 'expired' && !!user?.refresh_token;
  const valid = user && !tokenProblem ? user : undefined;
  const subject = valid?.profile.sub;

  // A stored user whose token is not ours is dropped, never sent; an expired one is
  // renewed when it can be.
  useEffect(() => {
    if (!user || !tokenProblem) return;
    if (stale) {
      userManager.signinSilent().catch(() => userManager.removeUser());
      return;
    }
    void userManager.removeUser();
    if (tokenProblem !== 'expired') setRejected(tokenProblem);
  }, [user, tokenProblem, stale, userManager, setRejected]);

  setAccessToken(valid?.access_token);

  useEffect(() => {
    const failed = () => setRenewalFailed(true);
    const renewed = () => setRenewalFailed(false);
    userManager.events.addSilentRenewError(failed);
    userManager.events.addUserLoaded(renewed);
    setRenewer(async () => (await userManager.signinSilent())?.access_token);
    return () => {
      userManager.events.removeSilentRenewError(failed);
      userManager.events.removeUserLoaded(renewed);
      setRenewer(undefined);
    };
  }, [userManager]);

  // Another tab signed out: so does this one.
  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return;
    const channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (event) => {
      if (event.data !== SIGNED_OUT_MESSAGE) return;
      setLeaving(true);
      void userManager.removeUser().then(() => {
        sessionStorage.setItem(SIGNED_OUT_FLAG, '1');
        location.assign('/');
      });
    };
    return () => channel.close();
  }, [userManager]);

  const lastSubject = useRef(subject);
  useEffect(() => {
    if (lastSubject.current !== subject) {
      lastSubject.current = subject;
      onUserChange();
    }
  }, [subject, onUserChange]);

  const session = useMemo<Session>(() => {
    const signIn = (returnTo = here()) => {
      const state = { state: { returnTo: safeReturnPath(returnTo), draft: readDraft() } };
      // A back-office page signs in with the staff's provider, any other page with the
      // business owners'; the callback page picks the one remembered here.
      const audience = runtime.staff ? audienceOf(safeReturnPath(returnTo)) : 'public';
      const provider = providerFor(runtime, audience);
      storeAudience(audience);
      void (provider === config ? userManager : makeUserManager(provider)).signinRedirect(state);
    };
    const signOut = () => {
      setLeaving(true);
      void (async () => {
        // The refresh token is revoked first: a copy of it left anywhere is worthless.
        await userManager.revokeTokens().catch(() => undefined);
        await userManager.removeUser();
        clearDraft();
        clearKeptTexts();
        if (typeof BroadcastChannel !== 'undefined') {
          const channel = new BroadcastChannel(CHANNEL);
          channel.postMessage(SIGNED_OUT_MESSAGE);
          channel.close();
        }
        sessionStorage.setItem(SIGNED_OUT_FLAG, '1');
        const back = encodeURIComponent(`${location.origin}/`);
        location.assign(`${config.logout_url}?client_id=${encodeURIComponent(config.client_id)}&logout_uri=${back}`);
      })();
    };
    // Renew now; when the session cannot be renewed any more, sign in again and come
    // back here (the draft travels along).
    const stay = () => {
      userManager.signinSilent().then(
        () => setRenewalFailed(false),
        () => signIn(),
      );
    };
    // A failed renewal is the warning's (SessionWarning), not a failed sign-in.
    const problem: SessionProblem | undefined = rejected ?? (auth.error && !subject ? 'sign-in-failed' : undefined);
    const profile = valid?.profile;
    return {
      status: auth.isLoading || leaving || stale ? 'loading' : subject ? 'signedIn' : 'signedOut',
      subject,
      displayName: profile ? (profile.name ?? profile.email ?? profile.preferred_username ?? profile.sub) : undefined,
      role: roleOf(profile),
      bankId: typeof profile?.['custom:bank_id'] === 'string' ? profile['custom:bank_id'] : undefined,
      problem,
      expiresAt: valid?.expires_at,
      renewalFailed: subject ? renewalFailed : false,
      signIn,
      signOut,
      stay,
    };
  }, [auth.isLoading, auth.error, subject, valid, stale, rejected, userManager, runtime, config, leaving, renewalFailed]);

  useEffect(() => onSession(session), [session, onSession]);

  // A 401 that a renewal did not cure: sign in again and come back here, draft intact;
  // unless we have just signed in (the API refuses this provider's tokens: no redirect
  // loop).
  useEffect(() => {
    setUnauthorizedHandler(() => {
      if (Date.now() - Number(sessionStorage.getItem(SIGNED_IN_AT) ?? 0) < 30_000) {
        void userManager.removeUser();
        setRejected('refused');
      } else session.signIn();
    });
    return () => setUnauthorizedHandler(undefined);
  }, [session, userManager, setRejected]);

  return null;
}
