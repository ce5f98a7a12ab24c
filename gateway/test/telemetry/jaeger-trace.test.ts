// One chat turn with a user-tool call, traced end to end into a real Jaeger v2: the split
// stack (gateway process, pool manager process, agent + sidecar processes per container)
// exports over OTLP (http/json and grpc) to Jaeger's receivers on loopback, and Jaeger's query API
// returns one trace holding spans of warmgate-gateway, warmgate-pool-manager,
// warmgate-sidecar and warmgate-agent.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startScriptedOpenAi, type ScriptedOpenAi } from '../fixtures/scripted-openai.js';
import { startSplitStack, type SplitStack } from '../reliability/support/split-stack.js';
import { jwt } from '../support/tokens.js';
import { WsClient } from '../support/ws-client.js';
import {
  startJaeger,
  tracesOf,
  type Jaeger,
  type JaegerSpan,
  type JaegerTrace,
} from './jaeger-support.js';

const services = [
  'warmgate-gateway',
  'warmgate-pool-manager',
  'warmgate-sidecar',
  'warmgate-agent',
] as const;

/** What one turn with a user-tool call does, in the gateway, pool manager, sidecar, agent. */
const expected = [
  'chat.turn',
  'pool.acquire',
  'llm.request',
  'mcp.call_tool',
  'warmgate.pool.v1.Pool/Acquire',
  'pool claim',
  'pool bind',
  'warmgate.agent.v1.Lifecycle/Bind',
  'sidecar restore',
  'tool profile_get',
  'tool conversation_append',
  'workspace write',
  'git commit',
  'git push',
];

let jaeger: Jaeger;
let llm: ScriptedOpenAi;
let stack: SplitStack;

beforeAll(async () => {
  jaeger = await startJaeger();
  llm = await startScriptedOpenAi();
  const common = { OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_METRIC_EXPORT_INTERVAL: '3600000' };
  // Two of the three protocols in one run: the gateway sends http/json, the pool manager and
  // the agent + sidecar processes it starts send grpc (http/protobuf is the default).
  const gatewayOtel = {
    ...common,
    OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttp,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  };
  const poolOtel = {
    ...common,
    OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpGrpc,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
  };
  stack = await startSplitStack({
    poolEnv: poolOtel,
    gatewayEnv: {
      ...gatewayOtel,
      WARMGATE_LLM_BASE_URL: llm.url,
      WARMGATE_LLM_API_KEY: 'test-key',
      WARMGATE_LLM_MODEL: 'scripted',
    },
  });
  // The first run builds Jaeger from the Go module proxy: 31 min on a loaded 2-core machine.
}, 2_400_000);

afterAll(async () => {
  await stack?.close();
  await llm?.close();
  await jaeger?.close();
});

it('one chat turn with a user-tool call is one trace across all four services', async () => {
  llm.script(
    {
      steps: [{ toolCalls: [{ id: 'call-1', name: 'profile_get', arguments: '{}' }] }],
      finishReason: 'tool_calls',
    },
    { steps: [{ text: 'Your profile is empty.' }], finishReason: 'stop' },
  );
  const ws = await WsClient.connect(stack.gateway.baseUrl, { token: await jwt({ sub: 'tracy' }) });
  await ws.next(''); // authenticated
  const final = await new Promise<string>((resolve, reject) => {
    ws.listen('turn-1', (frame) => {
      if (frame.kind.case === 'error') return (reject(new Error(frame.kind.value.message)), true);
      if (frame.kind.case !== 'chat') return false;
      const event = frame.kind.value.kind;
      if (event.case === 'error') reject(new Error(event.value.message));
      else if (event.case === 'final') resolve(event.value.text);
      else return false;
      return true;
    });
    ws.send({
      id: 'turn-1',
      kind: { case: 'chat', value: { kind: { case: 'message', value: { text: 'who am I?' } } } },
    });
  });
  expect(final).toContain('profile');
  await ws.close();

  const servicesOf = (trace: JaegerTrace) =>
    new Set(trace.spans.map((span) => trace.processes[span.processID]!.serviceName));
  let found: JaegerTrace | undefined;
  await expect
    .poll(
      async () => {
        const traces = await tracesOf(jaeger.queryUrl, 'warmgate-gateway');
        // Spans arrive per process, in batches: wait for the whole turn.
        found = traces.find(
          (trace) =>
            services.every((s) => servicesOf(trace).has(s)) &&
            expected.every((name) => trace.spans.some((span) => span.operationName === name)),
        );
        return found !== undefined;
      },
      { timeout: 20_000, interval: 500 },
    )
    .toBe(true);
  const trace = found!;
  // The trace as a tree, children in start order: "service  span".
  const children = new Map<string, JaegerSpan[]>();
  const ids = new Set(trace.spans.map((span) => span.spanID));
  const parentOf = (span: JaegerSpan) =>
    span.references.find((ref) => ref.refType === 'CHILD_OF' && ids.has(ref.spanID))?.spanID ?? '';
  for (const span of [...trace.spans].sort((a, b) => a.startTime - b.startTime)) {
    children.set(parentOf(span), [...(children.get(parentOf(span)) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      const service = trace.processes[span.processID]!.serviceName;
      lines.push(`${'  '.repeat(depth)}${service}  ${span.operationName}`);
      walk(span.spanID, depth + 1);
    }
  };
  walk('', 0);
  console.log(`jaeger trace ${trace.traceID} (${trace.spans.length} spans):\n${lines.join('\n')}`);
  // One root, the turn; every other span has its parent in the same trace.
  expect(children.get('')?.map((span) => span.operationName)).toEqual(['chat.turn']);
  // The agent is reached only through the sidecar's data plane: each agent span that starts
  // the agent's part (its parent in another service: the agent's `mcp POST`, `mcp GET`) is a
  // child of the sidecar's span for the same request, not a sibling of it under the gateway's.
  const byId = new Map(trace.spans.map((span) => [span.spanID, span]));
  const serviceOf = (span: JaegerSpan) => trace.processes[span.processID]!.serviceName;
  const entries = trace.spans.filter((span) => {
    const parent = byId.get(parentOf(span));
    return serviceOf(span) === 'warmgate-agent' && parent && serviceOf(parent) !== serviceOf(span);
  });
  expect(entries.length).toBeGreaterThan(0);
  for (const entry of entries) {
    const parent = byId.get(parentOf(entry))!;
    expect(entry.operationName).toMatch(/^mcp /);
    expect(`${serviceOf(parent)}  ${parent.operationName}`).toBe(
      `warmgate-sidecar  ${entry.operationName}`,
    );
  }
}, 120_000);
