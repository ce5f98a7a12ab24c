// The isolation matrix: for every auth mode (public, gateway, direct) × transport (WebSocket,
// gRPC, and straight to the agent over HTTP) × target (resource, user tool, platform tool,
// conversation), try to reach another user's data — forged tokens, another user's id in
// arguments, replayed bind credentials, guessed agent endpoints, public-mode writes — on the
// real stack (pool manager + real agent processes + gateway). Every attempt must be refused;
// the suite prints how many it made and how many were refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allAttempts } from './attempts.js';
import { makeWorld, type World } from './isolation-world.js';

let world: World | undefined;
const attempts = allAttempts();
let refused = 0;
let made = 0;
let knownBugs = 0;

beforeAll(async () => {
  world = await makeWorld();
}, 90_000);

afterAll(async () => {
  console.log(
    `isolation: ${made} attempts made, ${refused} refused, ${knownBugs} accepted through known bugs (of ${attempts.length} in the matrix)`,
  );
  await world?.close();
});

describe('isolation matrix', () => {
  for (const attempt of attempts) {
    const name = `${attempt.mode} × ${attempt.transport} × ${attempt.target}: ${attempt.technique}`;
    // Known bugs run as expected failures (they pass once the bug is fixed... and then fail
    // here, so the marker must be removed): never as skips.
    const test = attempt.knownBug ? it.fails : it;
    test(attempt.knownBug ? `${name} (BUG: ${attempt.knownBug})` : name, async () => {
      made++;
      try {
        const why = await attempt.run(world!);
        refused++;
        expect(why).toMatch(/refused|own data only/);
      } catch (error) {
        if (attempt.knownBug) knownBugs++;
        throw error;
      }
    });
  }

  it('a valid direct-mode credential still gets platform tools (the agent accepts it)', async () => {
    const { eve, callers } = world!;
    for (const caller of [callers.grpc, callers.ws]) {
      const quote = await caller.callTool(eve, 'market_quote', { symbol: 'AAPL' });
      expect(quote.ok, JSON.stringify(quote)).toBe(true);
    }
  });

  it('the victims still have their data (the attacks changed nothing)', async () => {
    const { alice, dave, callers } = world!;
    for (const victim of [alice, dave]) {
      const profile = await callers.grpc.callTool(victim.token, 'profile_get', {});
      expect(profile.ok && profile.text.includes(victim.secrets[0]!)).toBe(true);
      const prompt = await callers.ws.callTool(victim.token, 'system_prompt_get', {});
      expect(prompt.ok && prompt.text.includes(victim.secrets[1]!)).toBe(true);
    }
    expect(made).toBe(attempts.length);
    expect(refused).toBe(made - knownBugs);
    expect(knownBugs).toBe(attempts.filter((a) => a.knownBug).length);
  });
});
