// The Docker runtime on real containers: a pool manager with WARMGATE_POOL_RUNTIME=docker
// binds two users; `docker exec` inside one user's agent container then tries to reach what
// it must not (the other user's workspace and repository, the pool manager's secrets, the
// other agent's MCP, the Pool API and the other sidecar's Lifecycle API). Then kill -9 of the
// pool manager and a restart: bound containers adopted, the rest destroyed, nothing orphaned.
// Needs Docker (started if missing and root) and the agent image (built if missing).
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AuthMode, parseMcpUrl, poolv1 } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerSecrets, startPoolManager, type RunningPoolManager } from '../../src/index.js';
import {
  callTool,
  containerDirs,
  poolClient,
  seedRepository,
  spawnPoolManager,
  TEST_POOL_SECRET,
  waitFor,
  warmCount,
  type PoolClient,
  type Sandbox,
} from '../support.js';
import {
  dockerExec,
  dockerInspect,
  dockerKill,
  dockerPoolEnv,
  poolContainers,
  restartAfterKill,
  useDockerPools,
} from './docker-support.js';

// A secret of the pool manager's process: no container may see it in its environment.
const SENTINEL = 'sentinel-secret-of-the-pool-manager-7c1d';
// A telemetry setting of the pool manager's: containers get OTEL_* (allow-listed).
const OTEL_ATTRIBUTES = 'warmgate.test=docker-7c1d';
const pools = useDockerPools();

const agentOf = (binding: poolv1.Binding) => `warmgate-${binding.containerId}-agent`;

describe('docker runtime: isolation of a bound agent container', () => {
  let sandbox: Sandbox;
  let pool: RunningPoolManager;
  let client: PoolClient;
  let alice: poolv1.Binding;
  let bob: poolv1.Binding;

  beforeAll(async () => {
    process.env.WARMGATE_TEST_POOL_SECRET = SENTINEL;
    process.env.OTEL_RESOURCE_ATTRIBUTES = OTEL_ATTRIBUTES;
    sandbox = pools.sandbox(dockerPoolEnv('standard:min=1:max=6'));
    seedRepository(sandbox.storeDir, 'alice', { 'notes/alice.md': 'alice only\n' });
    seedRepository(sandbox.storeDir, 'bob', { 'notes/bob.md': 'bob-private-4f2a\n' });
    pool = await startPoolManager(sandbox.config());
    client = poolClient(pool.address);
    await waitFor('a warm container', async () => (await warmCount(client)) >= 1, 120_000);
    const acquire = (userId: string) =>
      client.acquire({ userId, tier: 'pro', mode: AuthMode.GATEWAY });
    alice = (await acquire('alice')).binding!;
    bob = (await acquire('bob')).binding!;
  }, 300_000);

  afterAll(async () => {
    delete process.env.WARMGATE_TEST_POOL_SECRET;
    delete process.env.OTEL_RESOURCE_ATTRIBUTES;
    client?.close();
    await pool?.close();
    // Shutdown drains every binding and destroys every container it made.
    if (sandbox) expect(await poolContainers(sandbox.stateDir)).toEqual([]);
  }, 180_000);

  it('runs hardened: non-root, read-only, no capabilities, limits, its own folder and secrets only', async () => {
    for (const role of ['agent', 'sidecar']) {
      const info = await dockerInspect(`warmgate-${alice.containerId}-${role}`);
      expect(info.Config.User).not.toMatch(/^(0|root)(:|$)/);
      expect(info.Config.User).not.toBe('');
      expect(info.Config.Labels['warmgate.io/role']).toBe('agent');
      expect(info.HostConfig).toMatchObject({
        // No network: the agent's namespace has a loopback only, the sidecar shares it.
        NetworkMode:
          role === 'agent' ? 'none' : `container:${(await dockerInspect(agentOf(alice))).Id}`,
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Privileged: false,
        Memory: 384 * 2 ** 20,
        NanoCpus: 500_000_000,
        PidsLimit: 128,
      });
      // Its own folder; the sidecar also its Lifecycle secret, read-only. The default agent
      // runs in role mcp behind the sidecar's data plane: no control token, no secret file.
      const secret = (name: string) =>
        expect.objectContaining({
          Source: join(sandbox.stateDir, alice.containerId, name),
          Destination: `/run/warmgate/${name}`,
          RW: false,
        });
      const binds = info.Mounts.filter((m) => m.Type === 'bind');
      expect(binds).toHaveLength(role === 'agent' ? 1 : 2);
      expect(binds).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Source: join(sandbox.stateDir, alice.containerId, 'box'),
            Destination: '/warmgate',
          }),
          ...(role === 'sidecar' ? [secret('sidecar.secret')] : []),
        ]),
      );
    }
    const id = await dockerExec(agentOf(alice), ['id', '-u']);
    expect(id.stdout.trim()).not.toBe('0');
    const write = await dockerExec(agentOf(alice), ['touch', '/app/x']);
    expect(write.code).not.toBe(0);
  });

  it("serves its own user's repository through the sidecar", async () => {
    const ls = await dockerExec(agentOf(alice), ['cat', '/warmgate/workspace/notes/alice.md']);
    expect(ls.stdout).toBe('alice only\n');
    expect(await callTool(alice, 'system_prompt_get', {})).toBeDefined();
  });

  it("cannot read the other user's workspace or repository", async () => {
    const bobWorkspace = join(sandbox.stateDir, bob.containerId, 'box', 'workspace');
    const direct = await dockerExec(agentOf(alice), ['cat', join(bobWorkspace, 'notes/bob.md')]);
    expect(direct.code).not.toBe(0);
    const store = await dockerExec(agentOf(alice), ['ls', sandbox.storeDir]);
    expect(store.code).not.toBe(0);
    // Nothing of bob's anywhere in the container's file system that it can read.
    const grep = await dockerExec(agentOf(alice), [
      'sh',
      '-c',
      'grep -rl bob-private-4f2a / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null; true',
    ]);
    expect(grep.stdout.trim()).toBe('');
    // The store over HTTP: alice's remote names her repository under her binding; the same
    // server refuses bob's repository to anyone without bob's binding credential.
    const remote = await dockerExec(agentOf(alice), [
      'git',
      '-C',
      '/warmgate/workspace',
      'remote',
      'get-url',
      'origin',
    ]);
    expect(remote.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/b\//);
    const bobUrl = remote.stdout
      .trim()
      .replace(/\/b\/[^/]+\/[^/]+\.git$/, `/b/${bob.bindingId}/bob.git`);
    const fetch = await dockerExec(agentOf(alice), [
      'env',
      'GIT_TERMINAL_PROMPT=0',
      'git',
      'ls-remote',
      bobUrl,
    ]);
    expect(fetch.code).not.toBe(0);
    expect(fetch.stderr).toMatch(/401|403|Authentication failed|could not read Username/i);
  });

  it("holds its sidecar's Lifecycle secret in the sidecar container only", async () => {
    const secret = containerSecrets(TEST_POOL_SECRET)(alice.containerId);
    const inSidecar = await dockerExec(`warmgate-${alice.containerId}-sidecar`, [
      'cat',
      '/run/warmgate/sidecar.secret',
    ]);
    expect(inSidecar.stdout).toBe(secret);
    // The agent container has no secret file at all.
    const secrets = await dockerExec(agentOf(alice), [
      'sh',
      '-c',
      'ls -A /run/warmgate 2>/dev/null; true',
    ]);
    expect(secrets.stdout.trim()).toBe('');
    const grep = await dockerExec(agentOf(alice), [
      'sh',
      '-c',
      `grep -rlF -e ${secret} / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null; true`,
    ]);
    expect(grep.stdout.trim()).toBe('');
  });

  it("holds no secret of the pool manager or gateway in its processes' environment", async () => {
    for (const role of ['agent', 'sidecar']) {
      const environ = await dockerExec(`warmgate-${alice.containerId}-${role}`, [
        'sh',
        '-c',
        'for p in /proc/[0-9]*; do tr "\\0" "\\n" < $p/environ 2>/dev/null; done',
      ]);
      expect(environ.code).toBe(0);
      expect(environ.stdout).toContain('WARMGATE_WORKSPACE_DIR=');
      expect(environ.stdout).not.toContain(SENTINEL);
      expect(environ.stdout).not.toContain(TEST_POOL_SECRET);
      expect(environ.stdout).not.toContain(containerSecrets(TEST_POOL_SECRET)(alice.containerId));
      // Telemetry settings are allowed through (OTEL_*); only the sidecar's environment names
      // a secret file (its Lifecycle secret).
      expect(environ.stdout).toContain(`OTEL_RESOURCE_ATTRIBUTES=${OTEL_ATTRIBUTES}`);
      expect(environ.stdout.includes('WARMGATE_SIDECAR_SECRET_FILE=/run/warmgate/')).toBe(
        role === 'sidecar',
      );
      for (const name of [
        'WARMGATE_STORE_SECRET',
        'WARMGATE_JWT',
        'OPENAI_API_KEY',
        'PATH=/work',
      ]) {
        expect(environ.stdout).not.toContain(name);
      }
    }
  });

  it("cannot reach the other agent's MCP at all, nor anything on the host's loopback", async () => {
    // Bob's agent answers on a socket in bob's folder, which alice's container does not see;
    // the host's loopback (the Pool API, the gateway, the store's TCP port) is not its loopback.
    const socketPath = parseMcpUrl(bob.mcpUrl).socketPath!;
    // The binding's MCP is the sidecar's data plane, never the agent itself.
    expect(socketPath).toMatch(/\/box\/mcp\.sock$/);
    const script = `const net=require('node:net');const out={};let left=2;const done=(k,v)=>{out[k]=v;if(--left===0)console.log(JSON.stringify(out))};
const a=net.connect(${JSON.stringify(socketPath)});a.on('connect',()=>done('socket','connected')).on('error',e=>done('socket',e.code));
const b=net.connect(${pool.port},'127.0.0.1');b.on('connect',()=>done('pool','connected')).on('error',e=>done('pool',e.code));`;
    const result = await dockerExec(agentOf(alice), ['node', '-e', script]);
    expect(JSON.parse(result.stdout)).toEqual({ socket: 'ENOENT', pool: 'ECONNREFUSED' });
    // From the host, bob's MCP still wants bob's binding assertion.
    const { Agent, fetch: undiciFetch } = await import('undici');
    const dispatcher = new Agent({ connect: { socketPath } });
    try {
      const response = await undiciFetch(parseMcpUrl(bob.mcpUrl).url, {
        method: 'POST',
        dispatcher,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 'x', version: '1' },
          },
        }),
      });
      expect([401, 403]).toContain(response.status);
    } finally {
      await dispatcher.close();
    }
  });

  it("cannot call the Pool API or the other sidecar's Lifecycle API with any effect", async () => {
    // A script in alice's own folder, run by her agent container's node, with the gRPC
    // client the image carries. It tries to release bob's binding and to drain bob's sidecar,
    // without credentials and with a forged bearer token (the agent holds no credential).
    writeFileSync(
      join(sandbox.stateDir, alice.containerId, 'box', 'attack.mjs'),
      `const { createClient } = await import('/app/proto/dist/grpc/index.js');
const { poolv1, agentv1 } = await import('/app/proto/dist/index.js');
const [poolAddress, sidecarAddress, bindingId] = process.argv.slice(2);
const token = 'forged-control-token';
const headers = { authorization: 'Bearer ' + token };
const out = {};
const attempt = async (name, call) => {
  try { await call(); out[name] = 'ok'; } catch (e) { out[name] = String(e.code ?? e.message); }
};
for (const [suffix, options] of [['', {}], ['WithToken', { headers }]]) {
  const pool = createClient(poolv1.Pool, poolAddress, options);
  await attempt('release' + suffix, () => pool.release({ userId: 'bob', bindingId }));
  const sidecar = createClient(agentv1.Lifecycle, sidecarAddress, options);
  await attempt('drain' + suffix, () => sidecar.drain({ bindingId }));
}
console.log(JSON.stringify(out));
process.exit(0);
`,
    );
    const attack = await dockerExec(agentOf(alice), [
      'node',
      '/warmgate/attack.mjs',
      pool.address,
      `unix://${join(sandbox.stateDir, bob.containerId, 'box', 'sidecar.sock')}`,
      bob.bindingId,
    ]);
    expect(attack.stderr).toBe('');
    // Nothing answers (gRPC code 14, UNAVAILABLE): the Pool API's loopback port is on the
    // host's loopback, not the container's, and bob's sidecar socket is in a folder it does
    // not see…
    expect(JSON.parse(attack.stdout)).toEqual({
      release: '14',
      drain: '14',
      releaseWithToken: '14',
      drainWithToken: '14',
    });
    // …and has no effect: bob is still bound to the same binding, and his agent still serves him.
    const again = await client.acquire({ userId: 'bob', tier: 'pro', mode: AuthMode.GATEWAY });
    const attempts = `attempts from inside alice's container: ${attack.stdout.trim()}`;
    expect(again.source, attempts).toBe(poolv1.AcquireSource.EXISTING);
    expect(again.binding!.bindingId, attempts).toBe(bob.bindingId);
    await callTool(bob, 'system_prompt_set', { text: 'still mine' });
    expect(await callTool(bob, 'system_prompt_get', {})).toMatchObject({ text: 'still mine\n' });
  });
});

describe('docker runtime: kill -9 of the pool manager', () => {
  it('a restart adopts the bound containers, destroys the rest, leaves no orphan', async () => {
    const sandbox = pools.sandbox(dockerPoolEnv('standard:min=2:max=6'));
    let dead = '';
    await restartAfterKill(pools, sandbox, {
      userId: 'carol',
      warm: 2,
      async beforeRestart(bound) {
        const before = await poolContainers(sandbox.stateDir);
        expect(before).toHaveLength(6); // 3 Warmgate containers × (agent + sidecar)
        // One warm container dies while nobody watches.
        dead = before.find((name) => name.endsWith('-agent') && !name.includes(bound.containerId))!;
        await dockerKill(dead);
      },
      async check(adopted, client) {
        await callTool(adopted, 'system_prompt_get', {});
        await waitFor(
          'the dead container to go',
          async () => !(await poolContainers(sandbox.stateDir)).includes(dead),
          60_000,
        );
        await waitFor('the pool to refill', async () => (await warmCount(client)) >= 2, 180_000);
      },
    });
  }, 600_000);
});

describe('docker runtime: a container killed while the pool manager runs', () => {
  it('is noticed at once, counted, replaced without a claim; its bound user is bound to a fresh container', async () => {
    const metricsPort = await freePort();
    const sandbox = pools.sandbox(
      dockerPoolEnv('standard:min=2:max=6', {
        WARMGATE_POOL_METRICS_PORT: String(metricsPort),
        WARMGATE_POOL_METRICS_HOST: '127.0.0.1',
      }),
    );
    const pm = await pools.spawn(sandbox);
    const client = poolClient(pm.address);
    const dead = async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return Number(
        /^warmgate_pool_docker_dead_containers_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0,
      );
    };
    const acquire = (userId: string, staleBindingId = '') =>
      client.acquire({ userId, tier: 'pro', mode: AuthMode.GATEWAY, staleBindingId });
    try {
      await waitFor('2 warm containers', async () => (await warmCount(client)) >= 2, 180_000);
      const first = (await acquire('dave')).binding!;
      await callTool(first, 'system_prompt_set', { text: 'kept in the store' });

      // A bound container dies: noticed from Docker's events, not at the next call.
      await dockerKill(agentOf(first));
      await waitFor('the death counted', async () => (await dead()) === 1, 30_000);
      // Both halves stop (the sidecar does not outlive its agent), and the binding is retired:
      // the container goes at once.
      await waitFor(
        'its sidecar stopped or removed',
        async () =>
          !(await dockerInspect(`warmgate-${first.containerId}-sidecar`).catch(() => undefined))
            ?.State.Running,
        30_000,
      );
      // The gateway's next request names the binding that stopped answering: a fresh one.
      const again = await acquire('dave', first.bindingId);
      expect(again.source).not.toBe(poolv1.AcquireSource.EXISTING);
      expect(again.binding!.containerId).not.toBe(first.containerId);
      expect(await callTool(again.binding!, 'system_prompt_get', {})).toMatchObject({
        text: 'kept in the store\n',
      });
      await waitFor(
        'the dead container removed',
        async () =>
          !(await poolContainers(sandbox.stateDir)).some((n) => n.includes(first.containerId)),
        60_000,
      );

      // A warm container dies: counted at once, destroyed and replaced with no claim at all
      // (the reconciler hears Docker's event), and nothing leaks.
      await waitFor('the pool to refill', async () => (await warmCount(client)) >= 2, 180_000);
      const warmAgents = (await poolContainers(sandbox.stateDir)).filter(
        (n) => n.endsWith('-agent') && !n.includes(again.binding!.containerId),
      );
      expect(warmAgents).toHaveLength(2);
      await dockerKill(warmAgents[0]!);
      await waitFor('the second death counted', async () => (await dead()) === 2, 30_000);
      const deadId = warmAgents[0]!.replace(/^warmgate-/, '').replace(/-agent$/, '');
      await waitFor(
        'the dead warm container removed, with no claim',
        async () => !(await poolContainers(sandbox.stateDir)).some((n) => n.includes(deadId)),
        60_000,
      );
      await waitFor(
        'the pool back to 2 warm, with no claim',
        async () => (await warmCount(client)) === 2,
        120_000,
      );
      // 1 bound + 2 warm Warmgate containers, each agent + sidecar; no folder left behind.
      expect(await poolContainers(sandbox.stateDir)).toHaveLength(6);
      expect(containerDirs(sandbox.stateDir)).not.toContain(deadId);
      for (const userId of ['erin', 'frank']) {
        const claimed = await acquire(userId);
        expect(claimed.source).toBe(poolv1.AcquireSource.WARM);
        expect(await callTool(claimed.binding!, 'system_prompt_get', {})).toBeDefined();
      }
      expect(await dead()).toBe(2);
    } finally {
      client.close();
    }
    pm.child.kill('SIGTERM');
    expect(await pm.exited).toBe(0);
    expect(await poolContainers(sandbox.stateDir)).toEqual([]);
  }, 900_000);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('docker runtime: bad settings stop start-up with the setting named', () => {
  const startWith = async (env: Record<string, string>) => {
    return startPoolManager(pools.sandbox(dockerPoolEnv('standard:min=1:max=6', env)).config());
  };

  it('an unknown image', async () => {
    await expect(
      startWith({ WARMGATE_POOL_DOCKER_IMAGE: 'warmgate/no-such-image:x' }),
    ).rejects.toThrow(/WARMGATE_POOL_DOCKER_IMAGE=warmgate\/no-such-image:x: no such image/);
  });

  it('limits Docker refuses', async () => {
    await expect(startWith({ WARMGATE_POOL_DOCKER_LIMITS: '*:memory=1k' })).rejects.toThrow(
      /WARMGATE_POOL_DOCKER_LIMITS: Docker refuses the limits of profile standard/,
    );
  });

  it('no daemon', async () => {
    const sandbox = pools.sandbox(dockerPoolEnv('standard:min=1:max=6'));
    const started = spawnPoolManager({
      ...sandbox.env,
      DOCKER_HOST: `unix://${join(sandbox.dir, 'no-docker.sock')}`,
    });
    await expect(started).rejects.toThrow(/WARMGATE_POOL_RUNTIME=docker: no Docker daemon answers/);
  });
});
