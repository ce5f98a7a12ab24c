// The isolation matrix, internal hops: a local process that is not the gateway (no secret, or
// a wrong one) calls the pool manager's Pool API and a sidecar's Lifecycle API on a real pool
// manager with real agent containers, and looks for the agent behind the sidecar's data plane.
// Every call must be refused (UNAUTHENTICATED / HTTP 401) and change nothing; and even the
// gateway's own credential gets no assertion key from GetStatus and cannot end a binding
// without naming it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AuthMode, ErrorCode, WarmgateError, agentv1, poolv1 } from '@warmgate/proto';
import { bearerHeaders, createClient } from '@warmgate/proto/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makePoolSandbox,
  poolClient,
  spawnPoolManager,
  TEST_POOL_SECRET,
  waitFor,
  warmCount,
  type PoolClient,
  type PoolManagerProcess,
  type PoolSandbox,
} from '@warmgate/testkit';

let sandbox: PoolSandbox;
let pm: PoolManagerProcess;
let gatewayPool: PoolClient;
/** alice's binding, made the way the gateway makes it. */
let alice: poolv1.Binding;

const credentials = {
  'no credential': {},
  'a wrong secret': bearerHeaders('not-the-secret-0123456789abcdef-0123456789'),
  'the secret without Bearer': { authorization: TEST_POOL_SECRET },
} as const;

async function codeOf(call: () => Promise<unknown>): Promise<ErrorCode | 'ok'> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    return WarmgateError.from(error).code;
  }
}

interface ContainerRecord {
  agent: { port: number };
  sidecar: { port: number };
}

const recordOf = (id: string) =>
  JSON.parse(readFileSync(join(sandbox.stateDir, id, 'container.json'), 'utf8')) as ContainerRecord;

beforeAll(async () => {
  sandbox = makePoolSandbox({ WARMGATE_POOL_PROFILES: 'standard:min=2:max=6' });
  pm = await spawnPoolManager(sandbox.env);
  gatewayPool = poolClient(pm.address);
  await waitFor('2 warm containers', async () => (await warmCount(gatewayPool)) >= 2, 40_000);
  const acquired = await gatewayPool.acquire({
    userId: 'alice',
    tier: 'pro',
    mode: AuthMode.GATEWAY,
  });
  alice = acquired.binding!;
}, 90_000);

afterAll(async () => {
  gatewayPool?.close();
  if (pm && pm.child.exitCode === null) {
    pm.child.kill('SIGKILL');
    await pm.exited;
  }
  sandbox?.cleanup();
});

describe('Pool API (pool manager) called by a local process that is not the gateway', () => {
  for (const [how, headers] of Object.entries(credentials)) {
    describe(how, () => {
      let pool: PoolClient;
      beforeAll(() => {
        pool = createClient(poolv1.Pool, pm.address, { headers });
      });
      afterAll(() => pool.close());

      it('Acquire for a victim is refused, and binds nothing', async () => {
        const victim = `victim-${how.replace(/\W/g, '-')}`;
        expect(
          await codeOf(() => pool.acquire({ userId: victim, tier: 'pro', mode: AuthMode.GATEWAY })),
        ).toBe(ErrorCode.UNAUTHENTICATED);
        expect((await gatewayPool.getStatus({ userId: victim })).binding).toBeUndefined();
      });

      it('GetStatus is refused (no state, no binding, no key)', async () => {
        expect(await codeOf(() => pool.getStatus({ userId: 'alice' }))).toBe(
          ErrorCode.UNAUTHENTICATED,
        );
      });

      it("Release and Touch of alice's binding are refused, and she stays bound", async () => {
        expect(
          await codeOf(() => pool.release({ userId: 'alice', bindingId: alice.bindingId })),
        ).toBe(ErrorCode.UNAUTHENTICATED);
        expect(await codeOf(() => pool.release({ userId: 'alice' }))).toBe(
          ErrorCode.UNAUTHENTICATED,
        );
        expect(
          await codeOf(() => pool.touch({ userId: 'alice', bindingId: alice.bindingId })),
        ).toBe(ErrorCode.UNAUTHENTICATED);
        const { binding } = await gatewayPool.getStatus({ userId: 'alice' });
        expect(binding?.bindingId).toBe(alice.bindingId);
      });

      it('WatchState is refused', async () => {
        expect(
          await codeOf(async () => {
            for await (const _ of pool.watchState({})) break;
          }),
        ).toBe(ErrorCode.UNAUTHENTICATED);
      });
    });
  }

  it('with the secret: GetStatus shows the binding without its key; Release needs its id', async () => {
    expect(alice.assertionKey.length).toBe(32); // Acquire, the gateway's call, carries it
    const { binding } = await gatewayPool.getStatus({ userId: 'alice' });
    expect(binding?.bindingId).toBe(alice.bindingId);
    expect(binding?.assertionKey.length).toBe(0);
    expect(await codeOf(() => gatewayPool.release({ userId: 'alice' }))).toBe(
      ErrorCode.INVALID_ARGUMENT,
    );
    expect((await gatewayPool.getStatus({ userId: 'alice' })).binding?.bindingId).toBe(
      alice.bindingId,
    );
  });

  it('listens on loopback only by default', () => {
    expect(pm.address).toMatch(/^127\.0\.0\.1:/);
  });
});

describe("a sidecar's Lifecycle API called by a local process that is not the pool manager", () => {
  let sidecarAddress: string;
  beforeAll(() => {
    sidecarAddress = `127.0.0.1:${recordOf(alice.containerId).sidecar.port}`;
  });

  const wrongOnes = {
    ...credentials,
    // Another container's secret is not this one's.
    "another container's secret": {},
  };

  for (const how of Object.keys(wrongOnes)) {
    it(`${how}: Bind, Drain and GetStatus are refused, and alice's agent stays bound`, async () => {
      const headers =
        how === "another container's secret"
          ? bearerHeaders(readFileSync(otherSidecarSecretFile(), 'utf8'))
          : credentials[how as keyof typeof credentials];
      const lifecycle = createClient(agentv1.Lifecycle, sidecarAddress, { headers });
      try {
        const bind = () =>
          lifecycle.bind({
            bindingId: 'b-evil',
            userId: 'mallory',
            tier: 'pro',
            mode: AuthMode.GATEWAY,
            assertionKey: new Uint8Array(32),
            repository: { url: '', credential: '', ephemeral: true },
          });
        expect(await codeOf(bind)).toBe(ErrorCode.UNAUTHENTICATED);
        expect(await codeOf(() => lifecycle.drain({ bindingId: alice.bindingId }))).toBe(
          ErrorCode.UNAUTHENTICATED,
        );
        expect(await codeOf(() => lifecycle.drain({ bindingId: '' }))).toBe(
          ErrorCode.UNAUTHENTICATED,
        );
        expect(await codeOf(() => lifecycle.getStatus({}))).toBe(ErrorCode.UNAUTHENTICATED);
      } finally {
        lifecycle.close();
      }
      await expectAliceServed();
    });
  }

  it('with its own secret: Drain without a binding id is refused', async () => {
    const secret = readFileSync(
      join(sandbox.stateDir, alice.containerId, 'sidecar.secret'),
      'utf8',
    );
    const lifecycle = createClient(agentv1.Lifecycle, sidecarAddress, {
      headers: bearerHeaders(secret),
    });
    try {
      expect(await codeOf(() => lifecycle.drain({ bindingId: '' }))).toBe(
        ErrorCode.INVALID_ARGUMENT,
      );
      const status = await lifecycle.getStatus({});
      expect(status.bindingId).toBe(alice.bindingId);
    } finally {
      lifecycle.close();
    }
  });

  it("the secret files and the agent's socket are 0600", () => {
    const dir = join(sandbox.stateDir, alice.containerId);
    // The agent behind the data plane checks no credential: only its sidecar's user reaches it.
    for (const name of ['sidecar.secret', 'agent.sock']) {
      expect((statSync(join(dir, name)).mode & 0o777).toString(8)).toBe('600');
    }
  });
});

/** alice is still bound to the same binding, and her agent says so to her sidecar. */
async function expectAliceServed() {
  const { binding } = await gatewayPool.getStatus({ userId: 'alice' });
  expect(binding?.bindingId).toBe(alice.bindingId);
  const secret = readFileSync(join(sandbox.stateDir, alice.containerId, 'sidecar.secret'), 'utf8');
  const lifecycle = createClient(
    agentv1.Lifecycle,
    `127.0.0.1:${recordOf(alice.containerId).sidecar.port}`,
    { headers: bearerHeaders(secret) },
  );
  try {
    const status = await lifecycle.getStatus({});
    expect(status.state).toBe(agentv1.AgentState.BOUND);
    expect(status.bindingId).toBe(alice.bindingId);
  } finally {
    lifecycle.close();
  }
}

/** The secret file of a container other than alice's (a warm one). */
function otherSidecarSecretFile(): string {
  const ids = readdirIds().filter((id) => id !== alice.containerId);
  if (ids.length === 0) throw new Error('no other container');
  return join(sandbox.stateDir, ids[0]!, 'sidecar.secret');
}

function readdirIds(): string[] {
  return readdirSync(sandbox.stateDir).filter((name) => name.startsWith('c-'));
}
