import { useCallback, useEffect, useState } from 'preact/hooks';
import type { DashboardSession } from '../DashboardApi.js';
import type { OsmoseError } from '../../../lib/OsmoseError.js';
import { getJson, sendJson } from './api.js';

/** Whether this browser acts as the operator, and the ways to change that. */
export interface Session {
  /** Undefined until the gateway has said. */
  readonly operator: boolean | undefined;
  /** Why the last sign-in or sign-out was refused. */
  readonly error: OsmoseError | undefined;
  /** Resolves true when the gateway took the credential. */
  readonly signIn: (credential: string) => Promise<boolean>;
  readonly signOut: () => Promise<void>;
}

/**
 * The operator session. The credential goes to the gateway once and never stays in the page:
 * the gateway answers with an HttpOnly cookie that later requests carry by themselves.
 */
export function useSession(): Session {
  const [operator, setOperator] = useState<boolean | undefined>(undefined);
  const [error, setError] = useState<OsmoseError | undefined>(undefined);

  useEffect(() => {
    getJson<DashboardSession>('/api/session').then(
      (session) => setOperator(session.operator),
      (failure: unknown) => setError(failure as OsmoseError),
    );
  }, []);

  const signIn = useCallback(async (credential: string): Promise<boolean> => {
    try {
      const session = await sendJson<DashboardSession>('POST', '/api/session', { credential });
      setOperator(session.operator);
      setError(undefined);
      return session.operator;
    } catch (failure) {
      setError(failure as OsmoseError);
      return false;
    }
  }, []);

  const signOut = useCallback(async (): Promise<void> => {
    try {
      const session = await sendJson<DashboardSession>('DELETE', '/api/session');
      setOperator(session.operator);
      setError(undefined);
    } catch (failure) {
      setError(failure as OsmoseError);
    }
  }, []);

  return { operator, error, signIn, signOut };
}
