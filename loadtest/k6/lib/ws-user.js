/* global __ITER -- k6 globals */
// One web-chat user's session: connect, authenticate, chat with tool calls, call a tool
// directly, idle between messages, close. The next iteration of the VU reconnects as the same
// user, so reconnects find the user's agent still bound.
import { check } from 'k6';
import { tokenFor } from './jwt.js';
import { chatTurn, chatFirstEvent, outcome, toolCall, wsConnect } from './metrics.js';
import { chatPrompts, directCalls, pick } from './prompts.js';
import { openSocket, pause } from './ws-client.js';

/** Runs one session; `idleMs` is [min, max] between messages. */
export async function webChatSession({ userId, turns = 3, idleMs = [500, 1500], tags = {} }) {
  const started = Date.now();
  let socket;
  try {
    socket = await openSocket(tokenFor(userId), { tags });
  } catch (error) {
    outcome('ws_connect', false, error.message);
    return;
  }
  wsConnect.add(Date.now() - started, tags);
  outcome('ws_connect', true);
  try {
    for (let i = 0; i < turns; i++) {
      // A turn that failed may still be running: start over on a new socket, as a user would.
      if (!(await chatTurnOnce(socket, pick(chatPrompts, __ITER * turns + i), tags))) return;
      await pause(idleMs[0] + Math.random() * (idleMs[1] - idleMs[0]));
    }
    await directCall(socket, pick(directCalls, __ITER), tags);
  } finally {
    await socket.close();
  }
}

async function chatTurnOnce(socket, text, tags) {
  const sent = Date.now();
  try {
    const turn = await socket.chat(text);
    chatTurn.add(Date.now() - sent, tags);
    if (turn.firstEventMs !== undefined) chatFirstEvent.add(turn.firstEventMs, tags);
    const good = check(turn, {
      'chat turn ended with a final answer': (t) => t.error === undefined && t.text.length > 0,
      'chat turn ran its tool': (t) =>
        t.toolResults.length === 1 && !(t.toolResults[0].result || {}).isError,
    });
    return outcome('chat_turn', good, turn.error || JSON.stringify(turn).slice(0, 200));
  } catch (error) {
    return outcome('chat_turn', false, error.message);
  }
}

export async function directCall(socket, call, tags) {
  const sent = Date.now();
  try {
    const frame = await socket.request('callTool', call);
    toolCall.add(Date.now() - sent, tags);
    const good = check(frame, {
      'tool call answered': (f) => f.callTool !== undefined && !f.callTool.isError,
    });
    outcome('tool_call', good, JSON.stringify(frame).slice(0, 200));
    return good;
  } catch (error) {
    return outcome('tool_call', false, error.message);
  }
}
