/* global __VU -- k6 globals */
// soak: a steady mix of web-chat users and gRPC terminals for a bounded time (SOAK_DURATION,
// default 3m). The runner samples the stack's memory and /metrics throughout and reports the
// growth; the thresholds here hold the error rate and latencies steady.
// Run: npm run loadtest -- soak [--duration 10m]
import exec from 'k6/execution';
import { duration, num, runId } from './lib/env.js';
import { bindUsers, newGatewayClient, Terminal } from './lib/grpc-user.js';
import { webChatSession } from './lib/ws-user.js';

const client = newGatewayClient();
const length = duration('SOAK_DURATION', '3m');
const wsUsers = num('SOAK_WS_USERS', 4);
const terminalUsers = 3;
const wsUser = (vu) => `soak-ws-${runId}-${vu % wsUsers}`;
const terminalUser = (vu) => `soak-terminal-${runId}-${vu % terminalUsers}`;
let terminal;

export const options = {
  scenarios: {
    webchat: {
      executor: 'constant-vus',
      exec: 'webChat',
      vus: wsUsers,
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
    // Correctness is strict; latency bounds leave room for a shared two-core machine under
    // other load (see ../README.md) while still catching a stall.
    warmgate_chat_turn: ['p(95)<5000'],
    warmgate_tool_call: ['p(95)<2000'],
  },
  // setup() binds every user's agent first: the soak watches the steady state.
  setupTimeout: '180s',
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'],
};

export function setup() {
  const users = [];
  for (let n = 0; n < wsUsers; n++) users.push(wsUser(n));
  for (let n = 0; n < terminalUsers; n++) users.push(terminalUser(n));
  return { bindFailures: bindUsers(client, users) };
}

export async function webChat() {
  await webChatSession({ userId: wsUser(__VU), turns: 4, idleMs: [500, 2500] });
}

export async function terminals() {
  if (!terminal) terminal = new Terminal(client, terminalUser(__VU));
  const i = exec.scenario.iterationInTest;
  if (i % 5 === 4) await terminal.chat(i);
  else if (i % 5 === 3) terminal.readProfile();
  else terminal.callTool(i);
}
