// The Authenticator port: picks the mode from the token's shape and the configuration.
//   no token        → public session (when enabled)
//   compact JWE     → direct mode (when enabled): routed by its header, verified by the agent
//   anything else   → gateway mode: a JWT the gateway verifies
import { randomUUID } from 'node:crypto';
import { AuthMode, errors } from '@warmgate/proto';
import type { AuthConfig } from '../config.js';
import type { Authenticator, Principal } from '../core/ports.js';
import { looksLikeJwe, routingOfJwe } from './direct-token.js';
import { createJwtVerifier } from './jwt-verifier.js';
import { createVerifiedCache } from './verified-cache.js';

/** The longest token accepted at all (a JWE with a large inner JWT stays far below this). */
const maxTokenChars = 16 * 1024;

export interface AuthenticatorOptions {
  readonly now?: () => number;
  readonly newSessionId?: () => string;
}

export function createAuthenticator(
  auth: AuthConfig,
  options: AuthenticatorOptions = {},
): Authenticator {
  const now = options.now ?? Date.now;
  const newSessionId = options.newSessionId ?? randomUUID;
  const verifyJwt = createJwtVerifier(auth, now);
  const verified = createVerifiedCache({ now });
  return {
    async authenticate(token) {
      const sessionId = newSessionId();
      if (token === undefined || token === '') {
        if (!auth.publicEnabled) {
          throw errors.unauthenticated('a token is required: public sessions are disabled');
        }
        return publicPrincipal(sessionId, auth.publicTier, now() + auth.publicSessionTimeoutMs);
      }
      if (token.length > maxTokenChars) {
        throw errors.unauthenticated(`token longer than ${maxTokenChars} characters`);
      }
      if (looksLikeJwe(token)) {
        if (!auth.directEnabled) {
          throw errors.permissionDenied('direct mode (JWE tokens) is disabled on this gateway');
        }
        const { userId, tier } = routingOfJwe(token, auth.directDefaultTier);
        return { sessionId, userId, tier, mode: AuthMode.DIRECT, credential: token };
      }
      if (!verifyJwt) {
        throw errors.permissionDenied(
          'gateway mode (JWT tokens) is not configured on this gateway',
        );
      }
      let claims = verified.get(token);
      if (!claims) {
        claims = await verifyJwt(token);
        verified.set(token, claims);
      }
      const { userId, tier, expiresAt } = claims;
      return { sessionId, userId, tier, mode: AuthMode.GATEWAY, expiresAt };
    },
  };
}

function publicPrincipal(sessionId: string, tier: string, expiresAt: number): Principal {
  // The user id is per session: a public workspace is ephemeral and never shared.
  return {
    sessionId,
    userId: `public-${sessionId}`,
    tier,
    mode: AuthMode.PUBLIC,
    expiresAt,
  };
}
