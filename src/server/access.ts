/**
 * Access control at the HTTP edge: a route declares the action it needs; a
 * bearer token names a principal whose role allows some actions. No or an
 * unknown token is a 401 (with `WWW-Authenticate: Bearer`); a known token whose
 * role does not allow the action is a 403. Repeated bad tokens from one
 * address are a 429 with `Retry-After`, so tokens cannot be guessed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Action, type Role, roleAllows } from '../registry/index.js';
import { FailureLimiter } from './failure-limiter.js';
import { HttpError } from './server-error.js';

/** Who made a request. */
export interface Principal {
  readonly id: string;
  readonly role: string;
  readonly name?: string;
}

/** Checks bearer tokens (the registry's TokenStore in production). */
export interface TokenVerifier {
  verify(token: string): Promise<Principal | undefined> | Principal | undefined;
}

/** Whether a role may perform an action (the registry's `roleAllows`). */
export type RoleAllows = (role: string, action: Action) => boolean;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The action a route needs; absent: public. */
    action?: Action;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

/** The principal every request runs as when auth is off (loopback only). */
export const ANONYMOUS: Principal = { id: 'anonymous', role: 'admin', name: 'anonymous' };

// RFC 6750 b64token, bounded.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]{1,512}=*) *$/;

const challenge = (error?: string) => ({
  'www-authenticate':
    error === undefined ? 'Bearer realm="flywheel"' : `Bearer realm="flywheel", error="${error}"`,
});

export interface AccessOptions {
  auth: TokenVerifier | 'off';
  allows: RoleAllows;
  /** Bad tokens per address per minute before 429 (default 20). */
  maxAuthFailures?: number;
}

/** Installs the authentication and authorisation hook. */
export function useAccessControl(app: FastifyInstance, options: AccessOptions): void {
  const limiter = new FailureLimiter({ limit: options.maxAuthFailures ?? 20, windowMs: 60_000 });
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    const action = request.routeOptions.config.action;
    if (action === undefined) return;
    if (options.auth === 'off') {
      request.principal = ANONYMOUS;
      return;
    }
    const principal = await authenticate(request, options.auth, limiter);
    if (!options.allows(principal.role, action)) {
      throw new HttpError('FORBIDDEN', `the token's role may not ${action} here`);
    }
    request.principal = principal;
  });
}

async function authenticate(
  request: FastifyRequest,
  verifier: TokenVerifier,
  limiter: FailureLimiter,
): Promise<Principal> {
  const header = request.headers.authorization;
  if (header === undefined) {
    throw new HttpError('UNAUTHORIZED', 'a bearer token is required', { headers: challenge() });
  }
  const retryAfter = limiter.blockedFor(request.ip);
  if (retryAfter > 0) {
    throw new HttpError('TOO_MANY_REQUESTS', 'too many failed authentications; retry later', {
      headers: { 'retry-after': String(retryAfter) },
    });
  }
  const token = BEARER.exec(header)?.[1];
  let principal: Principal | undefined;
  if (token !== undefined) {
    try {
      principal = await verifier.verify(token);
    } catch (err) {
      request.log.error({ err }, 'token verification failed');
      throw new HttpError('UNAVAILABLE', 'cannot verify tokens now; retry shortly', {
        headers: { 'retry-after': '1' },
      });
    }
  }
  if (principal === undefined) {
    limiter.fail(request.ip);
    throw new HttpError('UNAUTHORIZED', 'the bearer token is invalid, expired or revoked', {
      headers: challenge('invalid_token'),
    });
  }
  return principal;
}

/**
 * The registry's role table, for roles that arrive as plain strings.
 *
 * @example
 * defaultRoleAllows('viewer', 'predict'); // false
 */
export function defaultRoleAllows(role: string, action: Action): boolean {
  return roleAllows(role as Role, action);
}
