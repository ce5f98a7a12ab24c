// Acceptance, end to end: the stack exactly as `npm start` runs it (stack/dist/main.js:
// pool manager, local-process runtime, real agent + sidecar processes, gateway) with a
// scripted OpenAI-compatible server as its LLM. Over gRPC: health, reflection, ListTools,
// CallTool, ReadResource for each context resource, Chat streaming an answer with a tool
// call; then every conformance scenario over WebSocket, gRPC and MCP against the real agent; then
// a graceful stop.
import { Client, credentials, type ClientDuplexStream } from '@grpc/grpc-js';
import { ErrorCode, gatewayv1 } from '@warmgate/proto';
import { createClient } from '@warmgate/proto/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextResources } from '../../src/upstream/index.js';
import { startScriptedOpenAi, type ScriptedOpenAi } from '../fixtures/scripted-openai.js';
import {
  describeConformanceOnStack,
  nameUsers,
  scriptToolAnswer,
} from '../conformance/real-stack.js';
import { startStack, type StackProcess } from '../support/stack-process.js';
import { jwt, testAudience, testIssuer, testSecret } from '../support/tokens.js';

let llm: ScriptedOpenAi;
let stack: StackProcess;
let gateway: ReturnType<typeof createClient<typeof gatewayv1.Gateway>>;
let alice: Record<string, string>;

beforeAll(async () => {
  llm = await startScriptedOpenAi();
  stack = await startStack({
    WARMGATE_LLM_BASE_URL: llm.url,
    WARMGATE_LLM_API_KEY: 'test-key',
    WARMGATE_LLM_MODEL: 'scripted',
    WARMGATE_AUTH_HS256_SECRET: testSecret,
    WARMGATE_AUTH_ISSUER: testIssuer,
    WARMGATE_AUTH_AUDIENCE: testAudience,
  });
  gateway = createClient(gatewayv1.Gateway, stack.grpcAddress);
  alice = { authorization: `Bearer ${await jwt({ sub: 'alice' })}` };
  await nameUsers(stack.grpcAddress);
}, 120_000);

afterAll(async () => {
  gateway?.close();
  const code = await stack?.stop();
  await llm?.close();
  expect(code, stack?.output()).toBe(0); // drained and exited cleanly
});

describe('npm start, over HTTP', () => {
  it('serves the web chat page, health, readiness and metrics', async () => {
    const page = await fetch(`${stack.baseUrl}/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<label for="message">');
    expect((await fetch(`${stack.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${stack.baseUrl}/readyz`)).status).toBe(200); // the pool manager answers
    const metrics = await (await fetch(`${stack.baseUrl}/metrics`)).text();
    expect(metrics).toContain('warmgate_gateway_tool_calls');
    expect(metrics).toMatch(
      /warmgate_gateway_acquire_latency_seconds_bucket\{[^}]*source="(warm|cold|existing)"/,
    );
  });
});

describe('npm start, over gRPC', () => {
  it('serves the standard health service', async () => {
    const bytes = await rawUnary('/grpc.health.v1.Health/Check', Buffer.alloc(0));
    expect([...bytes]).toEqual([0x08, 0x01]); // status: SERVING
  });

  it('serves reflection, listing the Gateway service', async () => {
    // ServerReflectionRequest { list_services: "*" } = field 7, length 1, "*".
    const answer = await rawBidiOnce(
      '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
      Buffer.from([0x3a, 0x01, 0x2a]),
    );
    expect(answer.toString('latin1')).toContain('warmgate.gateway.v1.Gateway');
  });

  it('lists platform and user tools', async () => {
    const { tools } = await gateway.listTools({}, { headers: alice });
    const routes = new Map(tools.map((tool) => [tool.name, tool.route]));
    expect(routes.get('market_quote')).toBe(gatewayv1.ToolRoute.PLATFORM);
    expect(routes.get('profile_get')).toBe(gatewayv1.ToolRoute.USER);
    expect(routes.has('conversation_append')).toBe(false); // internal to the gateway
  });

  it('calls a platform tool and a user tool', async () => {
    const quote = await gateway.callTool(
      { name: 'market_quote', arguments: { symbol: 'AAPL' } },
      { headers: alice },
    );
    expect(quote.isError).toBe(false);
    const profile = await gateway.callTool({ name: 'profile_get' }, { headers: alice });
    expect(JSON.stringify(profile.structuredContent ?? profile.content)).toContain('alice');
  });

  it('reads each context resource', async () => {
    for (const uri of Object.values(contextResources)) {
      const { contents } = await gateway.readResource({ uri }, { headers: alice });
      expect(contents[0]?.uri, uri).toBe(uri);
    }
  });

  it('streams a chat answer with a tool call', async () => {
    scriptToolAnswer(llm);
    const requests = (async function* () {
      yield {
        kind: { case: 'message' as const, value: { text: 'How is AAPL?', turnId: 'e2e-1' } },
      };
    })();
    const events: gatewayv1.ChatResponse[] = [];
    for await (const event of gateway.chat(requests, { headers: alice, timeoutMs: 30_000 })) {
      events.push(event);
      if (event.kind.case === 'final' || event.kind.case === 'error') break;
    }
    const kinds = events.map((event) => event.kind.case);
    expect(kinds[0]).toBe('started');
    expect(kinds).toEqual(expect.arrayContaining(['delta', 'toolCallStarted', 'toolCallFinished']));
    expect(kinds.at(-1)).toBe('final');
    const finished = events.find((e) => e.kind.case === 'toolCallFinished')!.kind
      .value as gatewayv1.ToolCallFinished;
    expect(finished.result?.isError).toBe(false);
    expect((events.at(-1)!.kind.value as gatewayv1.FinalAnswer).text).toBe(
      'Let me check. AAPL is quoted above.',
    );
  });
});

describe('deadlines and cancellation, end to end', () => {
  it('ends a chat at its gRPC deadline and cancels the LLM request', async () => {
    llm.script({ steps: [{ text: 'Thinking' }, { hang: true }] });
    const gone = llm.clientGone();
    const requests = (async function* () {
      yield {
        kind: { case: 'message' as const, value: { text: 'Take your time.', turnId: 'slow' } },
      };
      await new Promise((resolve) => setTimeout(resolve, 10_000)); // keep the stream open
    })();
    const events: string[] = [];
    const failure = await (async () => {
      for await (const event of gateway.chat(requests, { headers: alice, timeoutMs: 1_500 })) {
        events.push(event.kind.case ?? '');
      }
    })().then(
      () => undefined,
      (error: unknown) => error as { code: number },
    );
    expect(events).toContain('delta');
    expect(failure?.code).toBe(ErrorCode.DEADLINE_EXCEEDED);
    await gone; // the gateway dropped its LLM request
  });
});

// The conformance scenarios against the default agent (the Python agent:
// test/e2e/python-agent.test.ts).
describeConformanceOnStack(
  'typescript',
  () => stack,
  () => llm,
);

/** A raw unary gRPC call (for services we have no generated code for). */
function rawUnary(path: string, request: Buffer): Promise<Buffer> {
  const client = new Client(stack.grpcAddress, credentials.createInsecure());
  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      request,
      (error, value) => (error ? reject(error) : resolve(value!)),
    );
  }).finally(() => client.close());
}

function rawBidiOnce(path: string, request: Buffer): Promise<Buffer> {
  const client = new Client(stack.grpcAddress, credentials.createInsecure());
  return new Promise<Buffer>((resolve, reject) => {
    const call: ClientDuplexStream<Buffer, Buffer> = client.makeBidiStreamRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
    );
    call.once('data', (data: Buffer) => {
      resolve(data);
      call.cancel();
    });
    call.once('error', (error) => reject(error));
    call.write(request);
    call.end();
  }).finally(() => client.close());
}
