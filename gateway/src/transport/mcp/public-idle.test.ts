import { AuthMode } from '@warmgate/proto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../../core/ports.js';
import type { SessionCore } from '../../core/session/session-core.js';
import { endQuietPublicSessions } from './public-idle.js';

const anonymous: Principal = {
  sessionId: 's1',
  userId: 'public-s1',
  tier: 'free',
  mode: AuthMode.PUBLIC,
};
const signedIn: Principal = { sessionId: 's2', userId: 'ann', tier: 'pro', mode: AuthMode.GATEWAY };

function fakeCore() {
  const ended: string[] = [];
  let release: () => void = () => {};
  const core = {
    listTools: async () => ({}),
    callTool: () => new Promise((resolve) => (release = () => resolve({}))),
    endSession: (p: Principal) => ended.push(p.sessionId),
  } as unknown as SessionCore;
  return { core, ended, finishCall: () => release() };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('endQuietPublicSessions', () => {
  it('ends an anonymous session after the idle time with nothing in flight', async () => {
    const { core, ended } = fakeCore();
    const wrapped = endQuietPublicSessions(core, 1000);
    await wrapped.listTools(anonymous, new AbortController().signal);
    await vi.advanceTimersByTimeAsync(900);
    await wrapped.listTools(anonymous, new AbortController().signal); // activity: starts over
    await vi.advanceTimersByTimeAsync(900);
    expect(ended).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(ended).toEqual(['s1']);
  });

  it('never while a request runs, and never for a signed-in session', async () => {
    const { core, ended, finishCall } = fakeCore();
    const wrapped = endQuietPublicSessions(core, 1000);
    const call = wrapped.callTool(anonymous, {} as never, new AbortController().signal);
    await wrapped.listTools(signedIn, new AbortController().signal);
    await vi.advanceTimersByTimeAsync(5000);
    expect(ended).toEqual([]);
    finishCall();
    await call;
    await vi.advanceTimersByTimeAsync(1000);
    expect(ended).toEqual(['s1']);
  });

  it('DELETE (endSession) ends it at once and cancels the timer', async () => {
    const { core, ended } = fakeCore();
    const wrapped = endQuietPublicSessions(core, 1000);
    await wrapped.listTools(anonymous, new AbortController().signal);
    wrapped.endSession(anonymous);
    await vi.advanceTimersByTimeAsync(2000);
    expect(ended).toEqual(['s1']);
  });
});
