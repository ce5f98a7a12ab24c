// Generators of hostile tokens: arbitrary strings, JWT-shaped strings with hostile headers,
// claims and signatures, and JWE-shaped strings with hostile routing headers.
import fc from 'fast-check';
import { testAudience, testIssuer } from '../support/tokens.js';

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

const algs = ['none', 'HS256', 'HS512', 'RS256', 'ES256', 'EdDSA', 'dir', 'RSA-OAEP-256', ''];

const header = fc.record(
  {
    alg: fc.oneof(fc.constantFrom(...algs), fc.string({ maxLength: 10 })),
    typ: fc.constantFrom('JWT', 'JWE', 'at+jwt'),
    kid: fc.string({ maxLength: 20 }),
    enc: fc.constantFrom('A256GCM', 'A128CBC-HS256', 'bogus'),
    sub: fc.oneof(fc.constantFrom('alice', 'bob', ''), fc.string({ maxLength: 30 }), fc.integer()),
    tier: fc.oneof(fc.constantFrom('free', 'pro', 'enterprise'), fc.jsonValue({ maxDepth: 1 })),
    crit: fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 }),
  },
  { requiredKeys: ['alg'] },
);

const now = Math.floor(Date.now() / 1000);
const claims = fc.record(
  {
    sub: fc.oneof(fc.constantFrom('alice', 'bob'), fc.string({ maxLength: 30 }), fc.integer()),
    iss: fc.oneof(fc.constant(testIssuer), fc.string({ maxLength: 20 })),
    aud: fc.oneof(
      fc.constant(testAudience),
      fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 }),
    ),
    exp: fc.oneof(fc.constant(now + 300), fc.integer(), fc.double(), fc.string({ maxLength: 5 })),
    iat: fc.oneof(fc.constant(now), fc.integer()),
    nbf: fc.integer(),
    tier: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);

const segment = fc.oneof(
  fc.base64String({ maxLength: 60 }).map((s) => s.replace(/=+$/, '')),
  fc.stringMatching(/^[A-Za-z0-9_-]{0,80}$/),
);

/**
 * A non-empty token string that can travel in a header (printable ASCII, no spaces); the
 * empty token asks for a public session by design.
 */
export const hostileToken = fc
  .oneof(
    fc.stringMatching(/^[!-~]{1,200}$/),
    fc.tuple(header, claims, segment).map(([h, c, s]) => `${b64(h)}.${b64(c)}.${s}`),
    fc
      .tuple(header, segment, segment, segment, segment)
      .map(([h, k, iv, ct, tag]) => `${b64(h)}.${k}.${iv}.${ct}.${tag}`),
    fc.array(segment, { minLength: 1, maxLength: 7 }).map((parts) => parts.join('.')),
  )
  .filter((token) => token.length > 0);
