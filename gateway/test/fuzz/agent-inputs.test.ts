// Fuzz: tool arguments and resource URIs on the real stack (pool manager, real agent
// processes over a git workspace, gateway). Random JSON to CallTool for every platform and
// user tool (keys drawn from each tool's own input schema, values hostile), random strings
// to ReadResource. Every case gets a valid answer (a tool that ran, possibly with is_error)
// or a specific error; afterwards the gateway and the agent still serve, the user's
// repository in the store is not corrupt, and the gateway's memory stayed bounded.
import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, gatewayv1 } from '@warmgate/proto';
import { createClient } from '@warmgate/proto/grpc';
import { jwt } from '../support/tokens.js';
import { failed, type Outcome } from '../reliability/support/callers.js';
import { startSplitStack, type SplitStack } from '../reliability/support/split-stack.js';
import { describe as show, expectSpecificError, rssGrowthLimitBytes } from './answers.js';
import { CaseTally, fuzzParameters, fuzzTimeoutMs } from './fuzz-settings.js';

let stack: SplitStack;
let client: ReturnType<typeof createClient<typeof gatewayv1.Gateway>>;
let tools: gatewayv1.Tool[] = [];
let rssBefore = 0;
const headers: Record<string, string> = {};
const tally = new CaseTally('agent-inputs');

beforeAll(async () => {
  stack = await startSplitStack();
  client = createClient(gatewayv1.Gateway, stack.gateway.grpcAddress);
  headers.authorization = `Bearer ${await jwt({ sub: 'fuzzy', tier: 'pro' })}`;
  ({ tools } = await client.listTools({}, { headers }));
  rssBefore = stack.gateway.rss();
}, 60_000);

afterAll(async () => {
  tally.print();
  client?.close();
  await stack?.close();
});

const call = (name: string, args: JsonObject): Promise<Outcome> =>
  client
    .callTool({ name, arguments: args }, { headers, timeoutMs: 20_000 })
    .then(() => ({ ok: true, text: '' }), failed);

const propertiesOf = (tool: gatewayv1.Tool): string[] =>
  Object.keys((tool.inputSchema?.properties as JsonObject | undefined) ?? {});

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom<JsonValue>('../../etc/passwd', '', 'x'.repeat(5000), -1, 1e308, [], {}, null),
  fc.string({ unit: 'binary', maxLength: 40 }),
) as fc.Arbitrary<JsonValue>;

function argumentsFor(tool: gatewayv1.Tool) {
  const keys = propertiesOf(tool);
  const key =
    keys.length > 0
      ? fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 12 }))
      : fc.string({ maxLength: 12 });
  return fc.dictionary(key, hostileValue, { maxKeys: 6 }) as fc.Arbitrary<JsonObject>;
}

function check(outcome: Outcome, input: unknown) {
  if (!outcome.ok) expectSpecificError(outcome.code, outcome.message, input);
}

describe('fuzzing tool arguments and resource URIs (real agent)', () => {
  it(
    'CallTool with hostile arguments, for every platform and user tool',
    async () => {
      const toolCase = fc
        .constantFrom(...tools)
        .chain((tool) => argumentsFor(tool).map((args) => ({ name: tool.name, args })));
      await fc.assert(
        fc.asyncProperty(toolCase, async ({ name, args }) => {
          tally.count(
            tools.find((t) => t.name === name)!.route === gatewayv1.ToolRoute.USER
              ? 'user-tools'
              : 'platform-tools',
          );
          check(await call(name, args), { name, args });
        }),
        fuzzParameters(500),
      );
    },
    fuzzTimeoutMs(500),
  );

  it(
    'ReadResource with hostile URIs',
    async () => {
      const uri = fc.oneof(
        fc.string({ maxLength: 80 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.webUrl(),
        fc
          .tuple(
            fc.constantFrom(
              'context://',
              'indicators://',
              'strategies://',
              'file://',
              'git://',
              '',
            ),
            fc.oneof(
              fc.constantFrom(
                'user-profile',
                '../../../etc/passwd',
                '..%2f..%2fconfig',
                'list',
                '%00',
                '.git/config',
              ),
              fc.string({ maxLength: 40 }),
            ),
          )
          .map(([scheme, rest]) => scheme + rest),
      );
      await fc.assert(
        fc.asyncProperty(uri, async (value) => {
          tally.count('resource-uris');
          const outcome = await client
            .readResource({ uri: value }, { headers, timeoutMs: 20_000 })
            .then((response) => {
              // A valid answer is about the URI asked for, never a file outside the workspace.
              const text = JSON.stringify(response.contents.map((c) => c.body.value?.toString()));
              if (text.includes('root:x:0:0'))
                throw new Error(`read /etc/passwd via ${show(value)}`);
              return { ok: true as const, text };
            }, failed);
          check(outcome, value);
        }),
        fuzzParameters(500),
      );
    },
    fuzzTimeoutMs(500),
  );

  // Found by this suite and fixed in fb1e277 (the agent answered INTERNAL "Invalid URL").
  it('ReadResource of a URI that is not a URL gets INVALID_ARGUMENT', async () => {
    const outcome = await client
      .readResource({ uri: 'not a url' }, { headers })
      .then(() => undefined, failed);
    expect(outcome).toMatchObject({ ok: false, code: ErrorCode.INVALID_ARGUMENT });
  });

  it('survives: gateway and agent serve, the repository is intact, memory stayed bounded', async () => {
    expect(await stack.gateway.healthy()).toBe(true);
    expect((await call('profile_get', {})).ok).toBe(true);
    await expect(stack.git('fuzzy', 'fsck', '--full')).resolves.toBeDefined();
    const growth = stack.gateway.rss() - rssBefore;
    console.log(`fuzz agent-inputs: gateway RSS grew ${(growth / 1048576).toFixed(1)} MiB`);
    expect(growth).toBeLessThan(rssGrowthLimitBytes);
  });
});
