// Restarting a gateway, on the real split stack: a client whose gateway went away (drained
// with SIGTERM, or killed with SIGKILL) reconnects to the new process and continues its
// conversation: the turns it had finished are in the conversation log (saved by the agent
// into the user's repository), not in the gateway's memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwt } from '../support/tokens.js';
import { WsClient } from '../support/ws-client.js';
import { wsCaller } from './support/callers.js';
import { startSplitStack, type SplitStack } from './support/split-stack.js';

let stack: SplitStack;
const faults = { injected: 0, survived: 0 };

beforeAll(async () => {
  stack = await startSplitStack();
}, 60_000);

afterAll(async () => {
  console.log(`faults gateway-restart: ${faults.injected} injected, ${faults.survived} survived`);
  await stack?.close();
});

/** One finished chat turn over an open socket; resolves with the final answer. */
function turn(ws: WsClient, id: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    ws.listen(id, (frame) => {
      if (frame.kind.case === 'error') {
        reject(new Error(frame.kind.value.message));
        return true;
      }
      if (frame.kind.case !== 'chat') return false;
      const event = frame.kind.value.kind;
      if (event.case === 'error') reject(new Error(event.value.message));
      else if (event.case === 'final') resolve(event.value.text);
      else return false;
      return true;
    });
    ws.send({
      id,
      kind: { case: 'chat', value: { kind: { case: 'message', value: { text, turnId: id } } } },
    });
  });
}

/** A turn on a fresh socket. */
async function connectedTurn(token: string, id: string, text: string) {
  const ws = await WsClient.connect(stack.gateway.baseUrl, { token });
  await ws.next(''); // authenticated
  return { ws, answer: await turn(ws, id, text) };
}

async function summary(token: string): Promise<string> {
  const outcome = await wsCaller(stack.gateway.baseUrl).readResource(
    token,
    'context://conversation-summary',
  );
  if (!outcome.ok) throw new Error(`summary: ${outcome.code} ${outcome.message}`);
  return outcome.text;
}

describe('a gateway restart', () => {
  for (const how of ['SIGTERM (drain)', 'SIGKILL'] as const) {
    it(`after ${how}: the client reconnects and continues the conversation`, async () => {
      const user = how === 'SIGKILL' ? 'gina' : 'gus';
      const token = await jwt({ sub: user });
      const marker = `ticker-${Math.random().toString(36).slice(2, 8)}`;
      const { ws } = await connectedTurn(token, 't1', `my favourite ticker is ${marker}`);
      if (how === 'SIGKILL') {
        // A kill -9 may cut a save in flight; the promise is for turns already saved.
        await expect.poll(() => summary(token), { timeout: 10_000 }).toContain(marker);
        await stack.gateway.kill9();
      } else {
        await stack.gateway.stop();
      }
      faults.injected++;
      const closed = await ws.closed;
      expect(closed.code).toBeGreaterThanOrEqual(1000);

      await stack.restartGateway();
      const { ws: again, answer } = await connectedTurn(
        token,
        't2',
        'what is my favourite ticker?',
      );
      expect(answer.length).toBeGreaterThan(0);
      expect(await summary(token)).toContain(marker);
      await again.close();
      faults.survived++;
    });
  }
});
