/* global __ENV, __VU -- k6 globals */
// connect-storm: a burst of users connecting at the same instant (market open), each new to
// the stack, measuring connect → first tool result. The runner runs it twice, against a warm
// pool and against an empty one (STORM_POOL=warm|empty), and puts the two side by side.
// The first call is a user tool (profile_get), so it waits for the user's agent to be bound.
import { check } from 'k6';
import { Trend } from 'k6/metrics';
import { num, runId } from './lib/env.js';
import { tokenFor } from './lib/jwt.js';
import { outcome } from './lib/metrics.js';
import { userToolCall } from './lib/prompts.js';
import { directCall } from './lib/ws-user.js';
import { openSocket } from './lib/ws-client.js';

const burst = num('STORM_USERS', 8);
const pool = __ENV.STORM_POOL === 'empty' ? 'empty' : 'warm';

/** Opening the socket → the first user-tool result (includes acquire: warm claim or cold start). */
const firstToolResult = new Trend('warmgate_first_tool_result', true);

export const options = {
  scenarios: {
    storm: { executor: 'per-vu-iterations', vus: burst, iterations: 1, maxDuration: '90s' },
  },
  thresholds: {
    warmgate_ok: ['rate>0.99'],
    // A warm pool must answer in interactive time even when the whole burst binds at once
    // (each bind restores a git repository; two shared cores); an empty one is measured,
    // with a cap.
    warmgate_first_tool_result: [pool === 'warm' ? 'p(95)<5000' : 'p(95)<60000'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'],
};

export default async function () {
  const started = Date.now();
  let socket;
  try {
    socket = await openSocket(tokenFor(`storm-${runId}-${pool}-${__VU}`), {
      via: 'header',
      tags: { pool },
      timeoutMs: 60000,
    });
  } catch (error) {
    outcome('ws_connect', false, error.message);
    return;
  }
  try {
    const good = await directCall(socket, userToolCall);
    if (good) firstToolResult.add(Date.now() - started, { pool });
    check(good, { 'first tool result arrived': (g) => g });
  } finally {
    await socket.close();
  }
}
