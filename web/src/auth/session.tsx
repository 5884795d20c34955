// Who is signed in, for the rest of the app. The OpenID Connect machinery (oidc.tsx) is
// loaded after the first paint: the public pages never wait for it.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { ConfigResult, Role, TokenProblem } from './config';

export type SessionProblem = 'config-unreachable' | 'config-invalid' | 'sign-in-failed' | TokenProblem;

export interface Session {
  status: 'loading' | 'signedIn' | 'signedOut' | 'unavailable';
  subject?: string;
  displayName?: string;
  /** What the signed-in user may do (and which area the header offers). */
  role?: Role;
  /** A reviewer's bank (`custom:bank_id`). */
  bankId?: string;
  problem?: SessionProblem;
  /** When the access token expires (seconds since the epoch). */
  expiresAt?: number;
  /** The last renewal failed: the session ends at `expiresAt` unless the user stays. */
  renewalFailed?: boolean;
  /** Signs in, then comes back to `returnTo` (default: here) with the draft intact. */
  signIn: (returnTo?: string) => void;
  /** Signs out of every tab, the refresh token revoked. */
  signOut: () => void;
  /** Renews the session now (or signs in again, coming back here, when it cannot). */
  stay?: () => void;
}

export const SIGNED_OUT_FLAG = 'pge.signedOut';

const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

const noop = () => {};
const loading: Session = { status: 'loading', signIn: noop, signOut: noop };

export interface SessionProviderProps {
  config: ConfigResult;
  /** Follows a same-site path after sign-in (the router's history). */
  navigate: (path: string) => void;
  /** Forgets cached data when the user changes. */
  onUserChange: () => void;
  children: ReactNode;
}

type OidcModule = typeof import('./oidc');

export function SessionProvider({ config, navigate, onUserChange, children }: SessionProviderProps) {
  const [session, setSession] = useState<Session>(() =>
    config.ok ? loading : { status: 'unavailable', problem: config.problem, signIn: noop, signOut: noop },
  );
  const [oidc, setOidc] = useState<OidcModule>();
  useEffect(() => {
    if (config.ok) void import('./oidc').then(setOidc);
  }, [config.ok]);

  return (
    <SessionContext.Provider value={session}>
      {children}
      {/* A sibling, not a wrapper: loading it never remounts the page. */}
      {config.ok && oidc && <oidc.OidcSession config={config.config} navigate={navigate} onUserChange={onUserChange} onSession={setSession} />}
    </SessionContext.Provider>
  );
}

/** After the provider's logout redirect lands on `/`, show the signed-out page instead. */
export function consumeSignedOutFlag(): boolean {
  const set = sessionStorage.getItem(SIGNED_OUT_FLAG) === '1';
  sessionStorage.removeItem(SIGNED_OUT_FLAG);
  return set;
}
