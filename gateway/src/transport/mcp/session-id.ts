// MCP session ids that need no shared store: the id carries what a replica needs to serve the
// session (negotiated protocol version, who it belongs to, when it ends) and an HMAC over it
// with WARMGATE_MCP_SESSION_SECRET. Any replica with the same secret honours an id another
// minted; a forged or altered id fails the signature and is answered 404 like an unknown one.
// Authenticated sessions store a hash of the user id, never the id itself (ids end up in
// logs); public sessions store the user id, because the session IS the public principal.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthMode } from '@warmgate/proto';

export interface McpSessionClaims {
  /** The session's own id (the principal's sessionId on every replica). */
  readonly sid: string;
  /** The protocol version negotiated at initialize. */
  readonly version: string;
  readonly mode: AuthMode;
  /** Public sessions: the public principal's user id; others: undefined. */
  readonly publicUser?: string;
  /** Authenticated sessions: hash of the user id the session belongs to. */
  readonly userHash?: string;
  readonly tier: string;
  /** Ms since the epoch. */
  readonly expiresAt: number;
}

/** Longer ids are refused before any decoding (a real one is ~250 characters). */
const maxIdChars = 1024;

export interface SessionIds {
  mint(claims: McpSessionClaims): string;
  /** The claims of a genuine, unexpired id; undefined for anything else. */
  open(id: string): McpSessionClaims | undefined;
}

export function userHash(userId: string): string {
  return createHash('sha256').update(userId).digest('base64url').slice(0, 22);
}

export function createSessionIds(
  secret: string | Buffer,
  now: () => number = Date.now,
): SessionIds {
  const sign = (payload: string) =>
    createHmac('sha256', secret).update(`mcp-session.${payload}`).digest();
  return {
    mint(claims) {
      const payload = Buffer.from(
        JSON.stringify({
          s: claims.sid,
          v: claims.version,
          m: claims.mode,
          p: claims.publicUser,
          h: claims.userHash,
          t: claims.tier,
          e: claims.expiresAt,
        }),
      ).toString('base64url');
      return `${payload}.${sign(payload).toString('base64url')}`;
    },
    open(id) {
      if (id.length > maxIdChars) return undefined;
      const [payload, mac, extra] = id.split('.');
      if (!payload || !mac || extra !== undefined) return undefined;
      const expected = sign(payload);
      const given = Buffer.from(mac, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      let raw: Record<string, unknown>;
      try {
        raw = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      } catch {
        return undefined;
      }
      const { s, v, m, p, h, t, e } = raw;
      if (typeof s !== 'string' || typeof v !== 'string' || typeof t !== 'string') return undefined;
      if (typeof m !== 'number' || typeof e !== 'number' || now() >= e) return undefined;
      return {
        sid: s,
        version: v,
        mode: m as AuthMode,
        publicUser: typeof p === 'string' ? p : undefined,
        userHash: typeof h === 'string' ? h : undefined,
        tier: t,
        expiresAt: e,
      };
    },
  };
}
