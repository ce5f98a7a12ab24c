/* global __VU -- k6 globals */
// grpc-terminal: trading terminals on gRPC at a steady arrival rate. Each VU is one terminal
// (one user; up to three VUs share a user); an iteration is one CallTool (60%), ReadResource of the profile (20%) or a
// Chat turn over the bidirectional stream (20%). Run: npm run loadtest -- grpc-terminal
import exec from 'k6/execution';
import { duration, num, runId } from './lib/env.js';
import { bindUsers, newGatewayClient, Terminal } from './lib/grpc-user.js';

const client = newGatewayClient();
const terminals = num('GRPC_TERMINALS', 6);
const rate = num('GRPC_RATE', 20);
const userOf = (n) => `terminal-${runId}-${n % terminals}`;
let terminal;

export const options = {
  scenarios: {
    terminals: {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: duration('GRPC_DURATION', '40s'),
      preAllocatedVUs: terminals,
      maxVUs: terminals * 3,
      gracefulStop: '20s',
    },
  },
  thresholds: {
    warmgate_ok: ['rate>0.99'],
    checks: ['rate>0.99'],
    // Correctness is strict; latency bounds leave room for a shared two-core machine under
    // other load (see ../README.md) while still catching a stall.
    grpc_req_duration: ['p(95)<2000'],
    warmgate_tool_call: ['p(95)<2000'],
    warmgate_read_resource: ['p(95)<2000'],
    warmgate_chat_turn: ['p(95)<5000'],
    // The stack kept up with the arrival rate: under 10 % of the iterations asked for dropped.
    dropped_iterations: [`rate<${rate * 0.1}`],
  },
  // setup() binds every terminal's agent first; cold starts are connect-storm's subject.
  setupTimeout: '180s',
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'],
};

export function setup() {
  const users = Array.from({ length: terminals }, (_, n) => userOf(n));
  return { bindFailures: bindUsers(client, users) };
}

export default async function () {
  if (!terminal) terminal = new Terminal(client, userOf(__VU));
  const i = exec.scenario.iterationInTest;
  const slot = i % 10;
  if (slot < 6) terminal.callTool(i);
  else if (slot < 8) terminal.readProfile();
  else await terminal.chat(i);
}
