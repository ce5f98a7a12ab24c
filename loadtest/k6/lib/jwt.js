// Mints HS256 JWTs in k6 itself, so a load test needs no token service: the runner gives the
// gateway and k6 the same throw-away secret (WARMGATE_AUTH_HS256_SECRET / WARMGATE_LOADTEST_SECRET).
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';
import { jwtSecret } from './env.js';

/** A token for `userId`, or undefined when no secret is set (public sessions). */
export function tokenFor(userId, tier = 'pro', ttlS = 3600) {
  if (!jwtSecret) return undefined;
  const now = Math.floor(Date.now() / 1000);
  const header = encoding.b64encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' }), 'rawurl');
  const claims = { sub: userId, tier, iat: now, exp: now + ttlS };
  const payload = encoding.b64encode(JSON.stringify(claims), 'rawurl');
  const signature = crypto.hmac('sha256', jwtSecret, `${header}.${payload}`, 'base64rawurl');
  return `${header}.${payload}.${signature}`;
}
