/* global __ENV, __VU -- k6 globals */
// ws-scale: (1) memory per connection — IDLE_CONNS authenticated sockets held open and idle
// for IDLE_S seconds while the runner samples the gateway's memory; then (2) throughput vs
// connections — for each level in SCALE_LEVELS, that many sockets call a tool back to back
// for SCALE_STEP_S seconds. Connections share a few users, so agents are bound once.
// Run: npm run loadtest -- ws-scale
import exec from 'k6/execution';
import { num, runId } from './lib/env.js';
import { tokenFor } from './lib/jwt.js';
import { outcome } from './lib/metrics.js';
import { directCall } from './lib/ws-user.js';
import { openSocket, pause } from './lib/ws-client.js';

const idleConns = num('IDLE_CONNS', 50);
const idleS = num('IDLE_S', 15);
const levels = (__ENV.SCALE_LEVELS || '1,4,16,32')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const stepS = num('SCALE_STEP_S', 10);
const users = num('SCALE_USERS', 4);
const gapS = 3;

function buildScenarios() {
  const scenarios = {
    idle: {
      executor: 'per-vu-iterations',
      exec: 'idle',
      vus: idleConns,
      iterations: 1,
      maxDuration: `${idleS + 20}s`,
    },
  };
  const thresholds = { warmgate_ok: ['rate>0.99'] };
  let start = idleS + gapS + 2;
  for (const level of levels) {
    scenarios[`conns_${level}`] = {
      executor: 'constant-vus',
      exec: 'hammer',
      vus: level,
      duration: `${stepS}s`,
      startTime: `${start}s`,
      gracefulStop: '10s',
      tags: { conns: String(level) },
    };
    // A threshold per level puts its submetric (count, latencies) into the summary export.
    thresholds[`warmgate_tool_call{conns:${level}}`] = ['p(95)<2000'];
    start += stepS + gapS;
  }
  return { scenarios, thresholds };
}

const plan = buildScenarios();

export const options = {
  scenarios: plan.scenarios,
  thresholds: plan.thresholds,
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'],
};

/** Opens one socket, authenticates, and holds it idle (the server's pings keep it open). */
export async function idle() {
  let socket;
  try {
    socket = await openSocket(tokenFor(`scale-idle-${runId}-${__VU}`));
  } catch (error) {
    outcome('ws_connect', false, error.message);
    return;
  }
  outcome('ws_connect', true);
  await pause(Math.max(1000, idleS * 1000 - (Date.now() - exec.scenario.startTime)));
  await socket.close();
}

/** One connection calling a tool back to back until its level's window ends. */
export async function hammer() {
  const level = exec.scenario.name.replace('conns_', '');
  const end = exec.scenario.startTime + stepS * 1000;
  let socket;
  try {
    socket = await openSocket(tokenFor(`scale-${runId}-${__VU % users}`));
  } catch (error) {
    outcome('ws_connect', false, error.message);
    return;
  }
  const tags = { conns: level };
  const call = { name: 'market_quote', arguments: { symbol: 'AAPL' } };
  try {
    // Bounded: the window ends, or 10 000 calls, whichever comes first.
    for (let i = 0; i < 10000 && Date.now() < end; i++) {
      if (!(await directCall(socket, call, tags))) break;
    }
  } finally {
    await socket.close();
  }
}
