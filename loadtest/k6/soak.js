/* global __VU -- k6 globals */
// soak: a steady mix of web-chat users and gRPC terminals for a bounded time (SOAK_DURATION,
// default 3m). The runner samples the stack's memory and /metrics throughout and reports the
// growth; the thresholds here hold the error rate and latencies steady.
// Run: npm run loadtest -- soak [--duration 10m]
import exec from 'k6/execution';
import { duration, num, runId } from './lib/env.js';
import { newGatewayClient, Terminal } from './lib/grpc-user.js';
import { webChatSession } from './lib/ws-user.js';

const client = newGatewayClient();
const length = duration('SOAK_DURATION', '3m');
let terminal;

export const options = {
  scenarios: {
    webchat: {
      executor: 'constant-vus',
      exec: 'webChat',
      vus: num('SOAK_WS_USERS', 4),
      duration: length,
      gracefulStop: '20s',
    },
    terminals: {
      executor: 'constant-arrival-rate',
      exec: 'terminals',
      rate: num('SOAK_GRPC_RATE', 8),
      timeUnit: '1s',
      duration: length,
      preAllocatedVUs: 3,
      maxVUs: 6,
      gracefulStop: '20s',
    },
  },
  thresholds: {
    warmgate_ok: ['rate>0.995'],
    checks: ['rate>0.995'],
    warmgate_chat_turn: ['p(95)<3000'],
    warmgate_tool_call: ['p(95)<1000'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'],
};

export async function webChat() {
  await webChatSession({ userId: `soak-ws-${runId}-${__VU}`, turns: 4, idleMs: [500, 2500] });
}

export async function terminals() {
  if (!terminal) terminal = new Terminal(client, `soak-terminal-${runId}-${__VU}`);
  const i = exec.scenario.iterationInTest;
  if (i % 5 === 4) await terminal.chat(i);
  else if (i % 5 === 3) terminal.readProfile();
  else terminal.callTool(i);
}
