// Fuzz: arbitrary and mutated protobuf bytes to every method of warmgate.gateway.v1.Gateway,
// through a raw grpc-js client. Every call ends with a specific status or a valid answer, and
// the gateway process survives with bounded memory.
import { create, toBinary } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayv1 } from '@warmgate/proto';
import { jwt } from '../support/tokens.js';
import { describe as show, rssGrowthLimitBytes } from './answers.js';
import { CaseTally, fuzzParameters, fuzzTimeoutMs } from './fuzz-settings.js';
import { startFuzzTarget, type FuzzTarget } from './fuzz-target.js';
import { RawGrpc, type RawStatus } from './raw-grpc.js';

let target: FuzzTarget;
let raw: RawGrpc;
let token: string;
let rssBefore = 0;
const tally = new CaseTally('grpc-messages');
const service = `/${gatewayv1.Gateway.typeName}`;

/** Valid request bytes per method, as seeds for mutation. */
const seeds: Record<string, Uint8Array> = {
  CallTool: toBinary(
    gatewayv1.CallToolRequestSchema,
    create(gatewayv1.CallToolRequestSchema, {
      name: 'market_quote',
      arguments: { symbol: 'AAPL' },
    }),
  ),
  ListTools: new Uint8Array(),
  ReadResource: toBinary(
    gatewayv1.ReadResourceRequestSchema,
    create(gatewayv1.ReadResourceRequestSchema, { uri: 'context://user-profile' }),
  ),
  Chat: toBinary(
    gatewayv1.ChatRequestSchema,
    create(gatewayv1.ChatRequestSchema, {
      kind: { case: 'message', value: { text: 'hello', turnId: 't' } },
    }),
  ),
};

const bytesFor = (method: string) =>
  fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc
      .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })
      .map((flips) => {
        const out = Uint8Array.from(seeds[method]!.length > 0 ? seeds[method]! : [0x0a, 0x00]);
        for (const [at, value] of flips) out[at % out.length] = value;
        return out;
      }),
  );

beforeAll(async () => {
  target = await startFuzzTarget();
  raw = new RawGrpc(target.grpcAddress);
  token = await jwt({ sub: 'alice', tier: 'pro' });
  for (let i = 0; i < 30; i++) await raw.unary(`${service}/ListTools`, new Uint8Array(), token);
  rssBefore = target.rss();
});

afterAll(async () => {
  tally.print();
  raw?.close();
  await target?.close();
});

/** Every answer is OK or a specific, client-facing status: never UNKNOWN/INTERNAL or empty. */
function expectSpecific(result: RawStatus, input: Uint8Array) {
  if (result.code === status.OK) return;
  if ([status.UNKNOWN, status.INTERNAL].includes(result.code) || result.details.trim() === '') {
    throw new Error(`unspecific status ${result.code} "${result.details}" for ${show(input)}`);
  }
}

describe('fuzzing gRPC messages', () => {
  for (const method of ['CallTool', 'ListTools', 'ReadResource']) {
    it(
      `${method}: arbitrary and mutated request bytes`,
      async () => {
        await fc.assert(
          fc.asyncProperty(bytesFor(method), async (bytes) => {
            tally.count(method);
            expectSpecific(await raw.unary(`${service}/${method}`, bytes, token), bytes);
          }),
          fuzzParameters(500),
        );
      },
      fuzzTimeoutMs(500),
    );
  }

  it(
    'Chat: streams of arbitrary and mutated messages',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(bytesFor('Chat'), { minLength: 1, maxLength: 3 }),
          async (bodies) => {
            tally.count('Chat');
            const result = await raw.bidi(`${service}/Chat`, bodies, token);
            expectSpecific(result, Buffer.concat(bodies));
          },
        ),
        fuzzParameters(200),
      );
    },
    fuzzTimeoutMs(200),
  );

  // Was a bug: grpc-js answered INTERNAL for undecodable bytes; the adapter now hands the
  // failure to the handler wrapper, which answers INVALID_ARGUMENT.
  it('bytes that are not a CallToolRequest get INVALID_ARGUMENT', async () => {
    const result = await raw.unary(
      `${service}/CallTool`,
      new Uint8Array([0xff, 0xff, 0xff]),
      token,
    );
    expect(result.code).toBe(status.INVALID_ARGUMENT);
  });

  it('an unknown method gets UNIMPLEMENTED', async () => {
    tally.count('unknown-method');
    const result = await raw.unary(`${service}/LaunchMissiles`, new Uint8Array([1, 2, 3]), token);
    expect(result.code).toBe(status.UNIMPLEMENTED);
  });

  it('survives: /healthz answers and resident memory stayed bounded', async () => {
    expect(await target.healthy()).toBe(true);
    expect((await raw.unary(`${service}/ListTools`, new Uint8Array(), token)).code).toBe(status.OK);
    const growth = target.rss() - rssBefore;
    console.log(`fuzz grpc-messages: gateway RSS grew ${(growth / 1048576).toFixed(1)} MiB`);
    expect(growth).toBeLessThan(rssGrowthLimitBytes);
  });
});
