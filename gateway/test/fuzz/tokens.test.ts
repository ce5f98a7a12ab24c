// Fuzz: hostile tokens over gRPC metadata and in WebSocket authenticate frames. A token the
// gateway cannot verify never authenticates a gateway-mode or public session: it gets
// UNAUTHENTICATED, or (a well-formed JWE) a direct-mode session whose agent decides; never an
// unspecific error. The process survives with bounded memory.
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '@warmgate/proto';
import { AuthMode, gatewayv1 } from '@warmgate/proto';
import { describe as show, expectSpecificError, rssGrowthLimitBytes } from './answers.js';
import { CaseTally, fuzzParameters, fuzzTimeoutMs } from './fuzz-settings.js';
import { startFuzzTarget, type FuzzTarget } from './fuzz-target.js';
import { RawGrpc } from './raw-grpc.js';
import { hostileToken } from './token-arbitraries.js';
import { WsClient } from '../support/ws-client.js';

let target: FuzzTarget;
let raw: RawGrpc;
let rssBefore = 0;
const tally = new CaseTally('tokens');
const listTools = `/${gatewayv1.Gateway.typeName}/ListTools`;

beforeAll(async () => {
  target = await startFuzzTarget();
  raw = new RawGrpc(target.grpcAddress);
  for (let i = 0; i < 30; i++) await raw.unary(listTools, new Uint8Array(), `warm-up-${i}`);
  rssBefore = target.rss();
});

afterAll(async () => {
  tally.print();
  raw?.close();
  await target?.close();
});

const isJweShaped = (token: string) => token.split('.').length === 5;

describe('fuzzing tokens', () => {
  it(
    'gRPC: a hostile bearer token gets UNAUTHENTICATED, or a direct-mode session for a JWE',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileToken, async (token) => {
          tally.count('grpc-metadata');
          const result = await raw.unary(listTools, new Uint8Array(), token);
          if (result.code === status.OK) {
            // Only a well-formed JWE is accepted at the gateway (the agent verifies it).
            if (!isJweShaped(token)) throw new Error(`accepted a non-JWE token: ${show(token)}`);
            return;
          }
          expectSpecificError(result.code as ErrorCode, result.details, token);
          if (!isJweShaped(token) && result.code !== status.UNAUTHENTICATED) {
            throw new Error(`expected UNAUTHENTICATED, got ${result.code} for ${show(token)}`);
          }
        }),
        fuzzParameters(1000),
      );
    },
    fuzzTimeoutMs(1000),
  );

  it(
    'WebSocket: an authenticate frame with a hostile token never opens a gateway-mode or public session',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileToken, async (token) => {
          tally.count('ws-authenticate');
          const ws = await WsClient.connect(target.baseUrl);
          try {
            const answer = await ws
              .request({ id: 'auth', kind: { case: 'authenticate', value: { token } } })
              .then(
                (frame) => ({ ok: true as const, frame }),
                (error: { code: ErrorCode; message: string }) => ({ ok: false as const, error }),
              );
            if (!answer.ok) {
              expectSpecificError(answer.error.code, answer.error.message, token);
              return;
            }
            const value = answer.frame.kind.value as { mode?: AuthMode };
            if (answer.frame.kind.case !== 'authenticated' || value.mode !== AuthMode.DIRECT) {
              throw new Error(`a hostile token opened a session ${show(value)}: ${show(token)}`);
            }
          } finally {
            await ws.close();
          }
        }),
        fuzzParameters(400),
      );
    },
    fuzzTimeoutMs(400),
  );

  it('survives: /healthz answers and resident memory stayed bounded', async () => {
    expect(await target.healthy()).toBe(true);
    const growth = target.rss() - rssBefore;
    console.log(`fuzz tokens: gateway RSS grew ${(growth / 1048576).toFixed(1)} MiB`);
    expect(growth).toBeLessThan(rssGrowthLimitBytes);
  });
});
