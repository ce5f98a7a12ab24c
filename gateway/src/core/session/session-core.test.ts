import { AuthMode, ErrorCode, WarmgateError, type gatewayv1 } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import { FakeConnector, fakePlatform, fakeTurns } from '../../../test/support/fake-ports.js';
import type { Authenticator, Principal } from '../ports.js';
import { AsyncQueue } from './async-queue.js';
import { createSessionCore } from './session-core.js';

const alice: Principal = { sessionId: 's1', userId: 'alice', tier: 'free', mode: AuthMode.GATEWAY };
const anon: Principal = {
  sessionId: 's2',
  userId: 'public-s2',
  tier: 'public',
  mode: AuthMode.PUBLIC,
};
const noAuth: Authenticator = { authenticate: async () => alice };

function setup(now = () => 1_000) {
  const agents = new FakeConnector();
  const core = createSessionCore({
    authenticator: noAuth,
    agents,
    platform: fakePlatform,
    turns: fakeTurns,
    limits: { maxMessageChars: 100, maxArgumentBytes: 200 },
    now,
    newId: () => 'generated',
  });
  return { core, agents };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return ErrorCode[WarmgateError.from(error).code] ?? '?';
  }
}

function message(text: string, turnId = ''): gatewayv1.ChatRequest {
  return { kind: { case: 'message', value: { text, turnId } } } as gatewayv1.ChatRequest;
}

function cancel(turnId = ''): gatewayv1.ChatRequest {
  return { kind: { case: 'cancel', value: { turnId } } } as gatewayv1.ChatRequest;
}

/** Reads events until `stop` says so; bounded by `max`. */
async function readUntil(
  events: AsyncIterator<gatewayv1.ChatResponse>,
  stop: (event: gatewayv1.ChatResponse) => boolean,
  max = 50,
) {
  const seen: gatewayv1.ChatResponse[] = [];
  for (let i = 0; i < max; i++) {
    const next = await events.next();
    if (next.done) break;
    seen.push(next.value);
    if (stop(next.value)) break;
  }
  return seen;
}

describe('session core', () => {
  it('lists platform and user tools, marked by route', async () => {
    const { core } = setup();
    const { tools } = await core.listTools(alice, new AbortController().signal);
    expect(tools.map((t) => t.name)).toEqual([
      'time_now',
      'noop',
      'profile_get',
      'note_save',
      'slow_tool',
    ]);
  });

  it('gives public sessions read-only tools only, and refuses writes itself', async () => {
    const { core, agents } = setup();
    const signal = new AbortController().signal;
    const { tools } = await core.listTools(anon, signal);
    expect(tools.map((t) => t.name)).not.toContain('note_save');
    expect(await codeOf(core.callTool(anon, { name: 'note_save' } as never, signal))).toBe(
      'PERMISSION_DENIED',
    );
    expect(agents.agents.get('public-s2')?.calls).toEqual([]);
  });

  it('refuses oversized arguments and unknown tools with specific errors', async () => {
    const { core } = setup();
    const signal = new AbortController().signal;
    const big = { name: 'noop', arguments: { blob: 'x'.repeat(500) } } as never;
    await expect(core.callTool(alice, big, signal)).rejects.toThrow(/arguments too large/);
    await expect(core.callTool(alice, { name: 'nope' } as never, signal)).rejects.toThrow(
      /no tool named "nope"/,
    );
  });

  it('refuses a resource uri that is not a URI before reaching the agent', async () => {
    const { core } = setup();
    await expect(
      core.readResource(alice, { uri: 'not a url' } as never, new AbortController().signal),
    ).rejects.toMatchObject({
      code: ErrorCode.INVALID_ARGUMENT,
      message: 'resource uri is not a valid URI',
    });
  });

  it('refuses an expired session', async () => {
    const { core } = setup(() => 5_000);
    const expired = { ...alice, expiresAt: 4_000 };
    await expect(core.listTools(expired, new AbortController().signal)).rejects.toThrow(/expired/);
  });

  it('runs one turn at a time, and cancels on request', async () => {
    const { core } = setup();
    const requests = new AsyncQueue<gatewayv1.ChatRequest>();
    const events = core.chat(alice, requests, new AbortController().signal)[Symbol.asyncIterator]();
    requests.push(message('slow please', 't1'));
    await readUntil(events, (e) => e.kind.case === 'delta');
    requests.push(message('second', 't2'));
    const [busy] = await readUntil(events, () => true);
    expect(busy?.kind.case).toBe('error');
    expect(busy?.turnId).toBe('t2');
    expect(busy?.kind.value).toMatchObject({ code: ErrorCode.FAILED_PRECONDITION });
    requests.push(cancel('t1'));
    const [final] = await readUntil(events, (e) => e.kind.case === 'final');
    expect(final?.kind).toMatchObject({
      case: 'final',
      value: { cancelled: true, text: 'Hello, ' },
    });
    requests.push(message('hi'));
    const turn = await readUntil(events, (e) => e.kind.case === 'final');
    expect(turn.map((e) => e.kind.case)).toEqual([
      'started',
      'delta',
      'toolCallStarted',
      'toolCallFinished',
      'delta',
      'final',
    ]);
    expect(turn.every((e) => e.turnId === 'generated')).toBe(true);
    requests.end();
    expect((await events.next()).done).toBe(true);
  });

  it('refuses empty and oversized messages inside the stream', async () => {
    const { core } = setup();
    const requests = new AsyncQueue<gatewayv1.ChatRequest>();
    const events = core.chat(alice, requests, new AbortController().signal)[Symbol.asyncIterator]();
    requests.push(message(''));
    requests.push(message('x'.repeat(101), 'long'));
    const seen = await readUntil(events, (e) => e.turnId === 'long');
    expect(seen.map((e) => (e.kind.value as { message: string }).message)).toEqual([
      'message text is empty',
      'message too long: 101 characters, the limit is 100',
    ]);
    requests.end();
  });

  it('stops the turn when the stream is aborted', async () => {
    const { core } = setup();
    const controller = new AbortController();
    const requests = new AsyncQueue<gatewayv1.ChatRequest>();
    const events = core.chat(alice, requests, controller.signal)[Symbol.asyncIterator]();
    requests.push(message('slow'));
    await readUntil(events, (e) => e.kind.case === 'delta');
    controller.abort(new WarmgateError(ErrorCode.CANCELLED, 'gone'));
    const rest = await readUntil(events, (e) => e.kind.case === 'final');
    expect(rest.at(-1)?.kind).toMatchObject({ case: 'final', value: { cancelled: true } });
    requests.end();
  });
});
