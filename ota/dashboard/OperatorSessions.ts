import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { ensureSecretFile } from '../../builder/trust/ensureSecretFile.js';
import { InputError } from '../../lib/OsmoseError.js';

/** The operator's dashboard credential, in the building's private keys: `.osmose/keys/operator.secret` (0600, never committed). */
export const operatorSecretFile = (root: string): string => join(root, '.osmose', 'keys', 'operator.secret');

/** The cookie that carries a signed-in browser's session. */
export const sessionCookie = 'osmose-operator';

/** How long a sign-in lasts: a working day. */
const sessionMs = 12 * 60 * 60 * 1000;

/**
 * Who may act on the building from the dashboard. Reading needs no credential (the dashboard
 * listens on the building's own network, loopback by default); pausing, resuming, aborting
 * or starting a rollout needs the operator's secret, which only someone who may read the
 * building's private keys has. A browser that shows it once gets a random session id in an
 * HttpOnly, SameSite=Strict cookie; the secret itself is never kept by the page.
 */
export class OperatorSessions {
  readonly #secret: Buffer;
  readonly #sessions = new Map<string, number>();

  private constructor(secret: string) {
    this.#secret = digest(secret);
  }

  /** Reads the operator's secret, making it on first use. */
  static async open(root: string): Promise<OperatorSessions> {
    const file = operatorSecretFile(root);
    const secret = await ensureSecretFile(file, {
      badCode: 'dashboard.bad-secret',
      what: "the operator's dashboard credential",
      hint: 'delete it: a new one is made when the gateway starts, and browsers signed in with the old one sign in again',
      missingCode: 'dashboard.no-secret',
    });
    return new OperatorSessions(Buffer.from(secret).toString('hex'));
  }

  /** Checks a credential shown at sign-in and answers a new session id; refused with `dashboard.bad-credential`. */
  signIn(credential: string, now = Date.now()): string {
    if (!timingSafeEqual(digest(credential.trim()), this.#secret)) {
      throw new InputError('dashboard.bad-credential', 'that is not the operator credential of this building', {
        hint: 'it is the 64 hex digits in .osmose/keys/operator.secret of the building, on the machine that runs the gateway',
        data: {},
      });
    }
    for (const [id, expires] of this.#sessions) if (expires <= now) this.#sessions.delete(id);
    const id = randomBytes(32).toString('base64url');
    this.#sessions.set(id, now + sessionMs);
    return id;
  }

  /** Whether the request's cookies hold a live session. */
  isOperator(cookieHeader: string | undefined, now = Date.now()): boolean {
    const id = sessionOf(cookieHeader);
    const expires = id === undefined ? undefined : this.#sessions.get(id);
    return expires !== undefined && expires > now;
  }

  signOut(cookieHeader: string | undefined): void {
    const id = sessionOf(cookieHeader);
    if (id !== undefined) this.#sessions.delete(id);
  }

  /** The Set-Cookie header value for a session (or, with null, one that clears it). */
  static cookie(id: string | null): string {
    return id === null ? `${sessionCookie}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` : `${sessionCookie}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${sessionMs / 1000}`;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function sessionOf(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === sessionCookie) return value.join('=');
  }
  return undefined;
}
