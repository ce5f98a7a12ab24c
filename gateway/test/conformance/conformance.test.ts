// Runs every scenario against the in-memory transport over a session core with small fakes of
// its ports. The same scenarios run over WebSocket (JSON and binary) and gRPC against the real
// stack — pool manager, real agents — in test/e2e/stack.test.ts.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import { createSessionCore, type SessionCore } from '../../src/core/session/session-core.js';
import { contextResources, FakeConnector, fakePlatform, fakeTurns } from '../support/fake-ports.js';
import { jwt, testAuth, testSecret } from '../support/tokens.js';
import type { ConformanceTransport } from './client.js';
import { expectedFailureOf, scenarios, type Fixture, type Who } from './scenarios.js';
import { memoryTransport } from './transports.js';
import { testLimits } from '../support/test-config.js';

const fixture: Fixture = {
  platformTool: { name: 'time_now', args: {} },
  userReadTool: { name: 'profile_get', args: {} },
  userWriteTool: { name: 'note_save', args: { text: 'hi' } },
  contextResources,
  chatWithTool: { text: 'hello', toolName: 'profile_get' },
  slowChat: 'slow answer please',
  maxMessageChars: testLimits.maxMessageChars,
};

async function tokenFor(who: Who): Promise<string | undefined> {
  switch (who) {
    case 'alice':
      return jwt({ sub: 'alice' });
    case 'public':
      return undefined;
    case 'expired-token':
      return jwt({ sub: 'alice', expiresIn: -120 });
    case 'bad-signature':
      return jwt({ sub: 'alice', secret: `${testSecret}-but-not-the-same` });
  }
}

let core: SessionCore;
let transport: ConformanceTransport;

beforeAll(() => {
  core = createSessionCore({
    authenticator: createAuthenticator(testAuth),
    agents: new FakeConnector(),
    platform: fakePlatform,
    turns: fakeTurns,
    limits: testLimits,
  });
  transport = memoryTransport(core);
});

afterAll(async () => {
  await transport.close();
});

describe('conformance over memory', () => {
  for (const scenario of scenarios) {
    const test = expectedFailureOf(scenario.id, 'memory') ? it.fails : it;
    test(scenario.id, async () => {
      const client = await transport.connect(await tokenFor(scenario.who));
      try {
        await scenario.run(client, fixture);
      } finally {
        await client.close();
      }
    });
  }
});
