// Runs every scenario against the in-memory transport, WebSocket (JSON and binary) and gRPC,
// all over one session core.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import { createSessionCore, type SessionCore } from '../../src/core/session/session-core.js';
import { startGatewayServers, type GatewayServers } from '../../src/stack/gateway-servers.js';
import { contextResources, FakeConnector, fakePlatform, fakeTurns } from '../support/fake-ports.js';
import { jwt, testAuth, testSecret } from '../support/tokens.js';
import type { ConformanceTransport } from './client.js';
import { expectedFailures, scenarios, type Fixture, type Who } from './scenarios.js';
import { grpcTransport, memoryTransport, wsTransport } from './transports.js';
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
let servers: GatewayServers;
const transports: ConformanceTransport[] = [];

beforeAll(async () => {
  core = createSessionCore({
    authenticator: createAuthenticator(testAuth),
    agents: new FakeConnector(),
    platform: fakePlatform,
    turns: fakeTurns,
    limits: testLimits,
  });
  servers = await startGatewayServers({
    core,
    config: { host: '127.0.0.1', httpPort: 0, grpcPort: 0, limits: testLimits, drainTimeoutS: 1 },
    ready: async () => true,
    scrape: async () => '',
  });
  const base = `http://127.0.0.1:${servers.httpPort}`;
  transports.push(
    memoryTransport(core),
    wsTransport(base),
    { ...wsTransport(base, true), name: 'ws' },
    grpcTransport(`127.0.0.1:${servers.grpcPort}`),
  );
});

afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await servers?.close();
});

const runs = [
  ['memory', 0],
  ['ws (json)', 1],
  ['ws (binary)', 2],
  ['grpc', 3],
] as const;

for (const [label, index] of runs) {
  describe(`conformance over ${label}`, () => {
    for (const scenario of scenarios) {
      const known = expectedFailures[scenario.id];
      const test = known?.transports.includes(label) ? it.fails : it;
      test(scenario.id, async () => {
        const client = await transports[index]!.connect(await tokenFor(scenario.who));
        try {
          await scenario.run(client, fixture);
        } finally {
          await client.close();
        }
      });
    }
  });
}
