// Sign-in with OpenID Connect, one code path for Cognito and the dev provider:
// authorization code + PKCE (S256) through oidc-client-ts, no client secret, user and
// state in sessionStorage. The ID token (what the API accepts) is checked against the
// configured issuer and client before it is ever sent.
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { useEffect, useMemo, useRef, useState } from 'react';
import { AuthProvider, useAuth } from 'react-oidc-context';
import { setIdToken, setUnauthorizedHandler } from '../api/client';
import { clearDraft, readDraft, restoreDraft } from '../draft/store';
import { idTokenProblem, landingPath, roleOf, safeReturnPath, type RuntimeConfig, type TokenProblem } from './config';
import { SIGNED_OUT_FLAG, type Session, type SessionProblem } from './session';

const SIGNED_IN_AT = 'pge.signedInAt';
const here = () => location.pathname + location.search;

interface Props {
  config: RuntimeConfig;
  navigate(path: string): void;
  onUserChange(): void;
  onSession(session: Session): void;
}

function makeUserManager(config: RuntimeConfig) {
  const store = new WebStorageStateStore({ store: sessionStorage });
  return new UserManager({
    authority: config.authority,
    client_id: config.client_id,
    scope: config.scope,
    redirect_uri: `${location.origin}/auth/callback`,
    post_logout_redirect_uri: `${location.origin}/`,
    response_type: 'code',
    userStore: store,
    stateStore: store,
    automaticSilentRenew: false,
    loadUserInfo: false,
    monitorSession: false,
  });
}

export function OidcSession({ config, navigate, onUserChange, onSession }: Props) {
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
      <Reporter config={config} issuer={issuer} userManager={userManager} rejected={rejected} setRejected={setRejected} onUserChange={onUserChange} onSession={onSession} />
    </AuthProvider>
  );
}

function Reporter({
  config,
  issuer,
  userManager,
  rejected,
  setRejected,
  onUserChange,
  onSession,
}: {
  config: RuntimeConfig;
  issuer: string;
  userManager: UserManager;
  rejected: TokenProblem | undefined;
  setRejected(p: TokenProblem | undefined): void;
  onUserChange(): void;
  onSession(session: Session): void;
}) {
  const auth = useAuth();
  // Between removing the user and the provider's logout page: neither signed in nor
  // out (a protected page must not start a new sign-in meanwhile).
  const [leaving, setLeaving] = useState(false);
  const user = auth.user ?? undefined;
  const tokenProblem = user ? idTokenProblem(user.id_token, { issuer, client_id: config.client_id }) : undefined;
  const valid = user && !tokenProblem ? user : undefined;
  const subject = valid?.profile.sub;

  // A stored user whose token is not ours (or has expired) is dropped, never sent.
  useEffect(() => {
    if (user && tokenProblem) {
      void userManager.removeUser();
      if (tokenProblem !== 'expired') setRejected(tokenProblem);
    }
  }, [user, tokenProblem, userManager, setRejected]);

  setIdToken(valid?.id_token);

  const lastSubject = useRef(subject);
  useEffect(() => {
    if (lastSubject.current !== subject) {
      lastSubject.current = subject;
      onUserChange();
    }
  }, [subject, onUserChange]);

  const session = useMemo<Session>(() => {
    const signIn = (returnTo = here()) => {
      void userManager.signinRedirect({ state: { returnTo: safeReturnPath(returnTo), draft: readDraft() } });
    };
    const signOut = () => {
      setLeaving(true);
      void (async () => {
        await userManager.removeUser();
        clearDraft();
        sessionStorage.setItem(SIGNED_OUT_FLAG, '1');
        const back = encodeURIComponent(`${location.origin}/`);
        location.assign(`${config.logout_url}?client_id=${encodeURIComponent(config.client_id)}&logout_uri=${back}`);
      })();
    };
    const problem: SessionProblem | undefined = rejected ?? (auth.error ? 'sign-in-failed' : undefined);
    const profile = valid?.profile;
    return {
      status: auth.isLoading || leaving ? 'loading' : subject ? 'signedIn' : 'signedOut',
      subject,
      displayName: profile ? (profile.name ?? profile.email ?? profile.preferred_username ?? profile.sub) : undefined,
      role: roleOf(profile),
      bankId: typeof profile?.['custom:bank_id'] === 'string' ? profile['custom:bank_id'] : undefined,
      problem,
      signIn,
      signOut,
    };
  }, [auth.isLoading, auth.error, subject, valid, rejected, userManager, config, leaving]);

  useEffect(() => onSession(session), [session, onSession]);

  // Any 401 from the API: sign in again and come back here, draft intact; unless we
  // have just signed in (the API refuses this provider's tokens: no redirect loop).
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
