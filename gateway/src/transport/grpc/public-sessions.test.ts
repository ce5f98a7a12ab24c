import { AuthMode } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../core/ports.js';
import { createPeerSessions } from './public-sessions.js';

function fakeCore(expiresIn = 1_000) {
  let n = 0;
  const ended: string[] = [];
  let clock = 0;
  const core = {
    authenticate: async (): Promise<Principal> => ({
      sessionId: `s${++n}`,
      userId: `public-s${n}`,
      tier: 'free',
      mode: AuthMode.PUBLIC,
      expiresAt: clock + expiresIn,
    }),
    endSession: (principal: Principal) => void ended.push(principal.sessionId),
  };
  return { core, ended, tick: (ms: number) => (clock += ms), now: () => clock };
}

describe('anonymous gRPC sessions', () => {
  it('gives one connection one public session, until it expires', async () => {
    const { core, ended, tick, now } = fakeCore();
    const sessions = createPeerSessions(core, { now });
    const [a, b] = await Promise.all([sessions.principal('peer-1'), sessions.principal('peer-1')]);
    expect(a.sessionId).toBe(b.sessionId);
    expect((await sessions.principal('peer-2')).sessionId).not.toBe(a.sessionId);
    tick(1_000);
    const renewed = await sessions.principal('peer-1');
    expect(renewed.sessionId).not.toBe(a.sessionId);
    await Promise.resolve();
    expect(ended).toEqual([a.sessionId]);
  });

  it('ends the session of a connection when the connection closes', async () => {
    const { core, ended, now } = fakeCore();
    const sessions = createPeerSessions(core, { now });
    const first = await sessions.principal('peer-1');
    sessions.end('peer-1');
    sessions.end('peer-unknown');
    await Promise.resolve();
    expect(ended).toEqual([first.sessionId]);
    expect((await sessions.principal('peer-1')).sessionId).not.toBe(first.sessionId);
  });

  it('ends the oldest session past the bound', async () => {
    const { core, ended, now } = fakeCore();
    const sessions = createPeerSessions(core, { max: 2, now });
    const first = await sessions.principal('p1');
    await sessions.principal('p2');
    await sessions.principal('p3');
    await Promise.resolve();
    expect(ended).toEqual([first.sessionId]);
  });
});
