/* global __VU -- k6 globals */
// ws-chat: web-chat users on /ws. Each VU is one user who connects, authenticates with a
// first `authenticate` frame, chats (every message makes the offline model call a real
// tool), idles between messages, calls a tool directly, disconnects — and reconnects on the
// next iteration. Run: npm run loadtest -- ws-chat   (see ../README.md)
import { duration, num, runId } from './lib/env.js';
import { webChatSession } from './lib/ws-user.js';

const users = num('WS_CHAT_USERS', 8);

export const options = {
  scenarios: {
    webchat: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '8s', target: users },
        { duration: duration('WS_CHAT_HOLD', '30s'), target: users },
        { duration: '4s', target: 0 },
      ],
      gracefulRampDown: '20s',
      gracefulStop: '20s',
    },
  },
  thresholds: {
    warmgate_ok: ['rate>0.99'],
    checks: ['rate>0.99'],
    // The first turn of a new user includes binding an agent; later turns reuse it. Latency
    // bounds leave room for a shared two-core machine under other load (see ../README.md).
    warmgate_chat_turn: ['p(95)<5000'],
    warmgate_ws_connect: ['p(95)<2000'],
    warmgate_tool_call: ['p(95)<2000'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'],
};

export default async function () {
  await webChatSession({ userId: `ws-${runId}-${__VU}`, turns: 3, idleMs: [300, 1500] });
}
