// Issue 14's "Done when" on the Docker runtime, as a test:
// `WARMGATE_AGENT=python WARMGATE_POOL_RUNTIME=docker npm start` (the real stack from
// stack/dist/main.js) runs the Python reference agent's image (warmgate/agent-py) as each
// user's agent container, with Warmgate's sidecar (warmgate/agent, data plane) in its network
// namespace. Over gRPC the six context resources; over WebSocket a user-written Python
// indicator saved and computed; its commit in the store's history, authored by the user.
// Then isolation on the real containers: no secret of the gateway or pool manager in the
// python container's environment or files, and an indicator that reads outside the workspace
// or loops is stopped and reported while the agent keeps answering.
// Needs Docker (started if missing and root) and both images (built by scripts/images.js when
// missing or stale; WARMGATE_IMAGE_TAG picks the tag, as for `npm run images`; or given by
// WARMGATE_POOL_DOCKER_IMAGE and WARMGATE_TEST_AGENT_PY_IMAGE, used as they are).
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import {
  NUMPY_INDICATOR_SOURCE,
  dockerContainers,
  removeDockerContainers,
  repoRoot,
} from '@warmgate/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcCaller, wsCaller, type Caller } from '../reliability/support/callers.js';
import { startStack, type StackProcess } from '../support/stack-process.js';
import { jwt, testAudience, testIssuer, testSecret } from '../support/tokens.js';
import {
  CANDLES,
  readsTheSixContextResources,
  savesAndComputesAPythonIndicator,
} from './python-agent-scenarios.js';

const run = promisify(execFile);
const TAG = process.env.WARMGATE_IMAGE_TAG || 'dev';
// Images named by these variables are used as they are (they must exist); else built.
const GIVEN_AGENT = process.env.WARMGATE_POOL_DOCKER_IMAGE;
const GIVEN_PYTHON = process.env.WARMGATE_TEST_AGENT_PY_IMAGE;
const AGENT_IMAGE = GIVEN_AGENT || `warmgate/agent:${TAG}`;
const PYTHON_IMAGE = GIVEN_PYTHON || `warmgate/agent-py:${TAG}`;
// The pool manager's deployment secret: in the stack's process, never in a container.
const POOL_SECRET = 'pool-secret-of-the-stack-9d3e-0123456789abcdef';

let stack: StackProcess | undefined;
let store: string;
let grpc: Caller;
let ws: Caller;
let label = '';

beforeAll(async () => {
  if (GIVEN_AGENT && GIVEN_PYTHON) {
    execFileSync('bash', ['scripts/ensure-docker.sh'], { cwd: repoRoot, stdio: 'inherit' });
    execFileSync('docker', ['image', 'inspect', AGENT_IMAGE, PYTHON_IMAGE], { stdio: 'ignore' });
  } else {
    execFileSync('node', ['scripts/images.js', 'agent', 'agent-py'], {
      cwd: repoRoot,
      stdio: 'inherit',
      env: { ...process.env, WARMGATE_IMAGE_TAG: TAG },
    });
  }
  stack = await startStack({
    WARMGATE_AGENT: 'python',
    WARMGATE_POOL_RUNTIME: 'docker',
    WARMGATE_POOL_DOCKER_IMAGE: AGENT_IMAGE,
    WARMGATE_POOL_AGENT_IMAGES: JSON.stringify({ python: PYTHON_IMAGE }),
    // The default limits, and the agent's default memory budget for user code (512 MB).
    WARMGATE_POOL_DOCKER_LIMITS: '*:cpus=1:memory=512m:pids=256',
    WARMGATE_POOL_PROFILES: 'standard:min=1:max=4',
    WARMGATE_POOL_READY_TIMEOUT: '90s',
    WARMGATE_POOL_BIND_TIMEOUT: '60s',
    WARMGATE_POOL_SECRET: POOL_SECRET,
    // A short budget for the looping indicator (reaches the container by the allow-list).
    WARMGATE_INDICATOR_TIMEOUT_MS: '1500',
    WARMGATE_AUTH_HS256_SECRET: testSecret,
    WARMGATE_AUTH_ISSUER: testIssuer,
    WARMGATE_AUTH_AUDIENCE: testAudience,
  });
  store = stack.storeDir;
  // The pool's label (pool-manager/src/runtime/docker/labels.ts: a hash of its state folder).
  const pool = createHash('sha256').update(stack.stateDir).digest('hex').slice(0, 16);
  label = `warmgate.io/pool=${pool}`;
  grpc = grpcCaller(stack.grpcAddress);
  ws = wsCaller(stack.baseUrl);
}, 1_800_000);

afterAll(async () => {
  grpc?.close();
  ws?.close();
  await stack?.stop();
  // What a failure left behind (a drained stack removes its own containers).
  if (label) await removeDockerContainers(label);
}, 120_000);

describe('WARMGATE_AGENT=python WARMGATE_POOL_RUNTIME=docker npm start', () => {
  it(
    'serves the six context resources over gRPC',
    () => readsTheSixContextResources(grpc, 'pyd-reader'),
    120_000,
  );

  it(
    'saves and computes a user-written Python indicator over WebSocket; its commit is in the store',
    () => savesAndComputesAPythonIndicator(ws, store, 'pyd-writer'),
    180_000,
  );

  it('runs the agent image with the sidecar in its network namespace, hardened', async () => {
    const names = await dockerContainers(`${label}`);
    const agents = names.filter((name) => name.endsWith('-agent'));
    expect(agents.length).toBeGreaterThan(0);
    const agent = await inspect(agents[0]!);
    const sidecar = await inspect(agents[0]!.replace(/-agent$/, '-sidecar'));
    expect(agent.Config.Image).toBe(PYTHON_IMAGE);
    expect(sidecar.Config.Image).toBe(AGENT_IMAGE);
    expect(agent.HostConfig.NetworkMode).toBe('none');
    expect(sidecar.HostConfig.NetworkMode).toBe(`container:${agent.Id}`);
    for (const box of [agent, sidecar]) {
      expect(box.Config.User).not.toMatch(/^0(:|$)/);
      expect(box.HostConfig.ReadonlyRootfs).toBe(true);
      expect(box.HostConfig.CapDrop).toEqual(['ALL']);
      expect(box.HostConfig.SecurityOpt).toEqual(['no-new-privileges']);
      expect(box.HostConfig.Memory).toBe(512 * 2 ** 20);
      expect(box.HostConfig.PidsLimit).toBe(256);
    }
    // The agent container gets no secret file at all (the sidecar's are its own).
    expect(agent.Mounts.map((m) => m.Destination)).toEqual(['/warmgate']);
    expect(agent.Config.Env).toContain('WARMGATE_AGENT_ISOLATION=container');
  });

  it("holds no secret of the gateway or pool manager in the python container's processes", async () => {
    // A bound user's container: its agent has run user code.
    const token = await jwt({ sub: 'pyd-env' });
    const saved = await ws.callTool(token, 'indicator_save_python', {
      name: 'envdump',
      source: NUMPY_INDICATOR_SOURCE,
    });
    expect(saved.ok && saved.toolError).toBeFalsy();
    const refusals: string[] = [];
    for (const name of (await dockerContainers(label)).filter((n) => n.endsWith('-agent'))) {
      // Every process's environment (the agent, and any indicator child alive now) and
      // every file the container can read under /warmgate and /run.
      const { stdout } = await run('docker', [
        'exec',
        name,
        'sh',
        '-c',
        'for e in /proc/[0-9]*/environ; do tr "\\0" "\\n" < "$e"; done 2>/dev/null; ' +
          'ls -la /warmgate /run 2>&1; ' +
          'find /warmgate /run -maxdepth 2 -type f ! -path "*/workspace/*" -exec cat {} + 2>/dev/null; true',
      ]);
      expect(stdout).toContain('WARMGATE_WORKSPACE=/warmgate/workspace');
      for (const secret of [POOL_SECRET, testSecret]) expect(stdout).not.toContain(secret);
      expect(stdout).not.toMatch(/WARMGATE_(SIDECAR_SECRET|POOL_SECRET|AUTH_)/);
      expect(stdout).not.toContain('sidecar.secret');
      expect(stdout).not.toContain('agent-jwe.key');
      // It sees its own folder only: the pool's state folder on the host is not there.
      const listed = await run('docker', ['exec', name, 'ls', stack!.stateDir]).then(
        () => 0,
        (error: { code?: number }) => error.code ?? 1,
      );
      expect(listed).not.toBe(0);
      // The sidecar's MCP socket is in its folder, but wants the binding's assertion.
      const { stdout: answer } = await run('docker', [
        'exec',
        name,
        '/opt/agent-py/venv/bin/python',
        '-c',
        [
          'import socket',
          's = socket.socket(socket.AF_UNIX)',
          "s.connect('/warmgate/mcp.sock')",
          'body = b\'{"jsonrpc":"2.0","id":1,"method":"tools/list"}\'',
          "s.sendall(b'POST /mcp HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\n'" +
            " + b'Accept: application/json, text/event-stream\\r\\nConnection: close\\r\\n'" +
            " + b'Content-Length: ' + str(len(body)).encode() + b'\\r\\n\\r\\n' + body)",
          "print(s.recv(4096).decode().split('\\r\\n')[0])",
        ].join('\n'),
      ]);
      // Refused: a bound container wants its binding's assertion, a warm one has none yet.
      expect(answer.trim()).toMatch(/^HTTP\/1\.1 (401|403|503) /);
      refusals.push(answer.trim().split(' ')[1]!);
    }
    expect(refusals.some((status) => status === '401' || status === '403')).toBe(true);
  }, 120_000);

  it('stops an indicator that reads outside the workspace, loops or allocates, reports it, and keeps answering', async () => {
    const token = await jwt({ sub: 'pyd-abuser' });
    const reader = `def compute(candles):
    with open("/etc/passwd") as handle:
        handle.read()
    return [None] * len(candles["close"])
`;
    const looper = `def compute(candles):
    while True:
        pass
`;
    const hog = `def compute(candles):
    hoard = []
    while True:
        hoard.append(bytearray(16 * 1024 * 1024))
`;
    for (const [name, source] of [
      ['reader', reader],
      ['looper', looper],
      ['hog', hog],
    ] as const) {
      const saved = await ws.callTool(token, 'indicator_save_python', { name, source });
      expect(saved.ok && saved.toolError, name).toBeFalsy();
    }
    const read = await ws.callTool(token, 'indicator_compute', {
      name: 'reader',
      candles: CANDLES,
    });
    expect(read.ok && read.toolError).toMatch(/PERMISSION_DENIED.*outside the workspace/);
    const looped = await ws.callTool(token, 'indicator_compute', {
      name: 'looper',
      candles: CANDLES,
    });
    expect(looped.ok && looped.toolError).toMatch(/DEADLINE_EXCEEDED.*stopped/);
    // Within the container's default memory limit: the agent's budget stops it first.
    const hogged = await ws.callTool(token, 'indicator_compute', { name: 'hog', candles: CANDLES });
    expect(hogged.ok && hogged.toolError).toMatch(/RESOURCE_EXHAUSTED.*memory budget/);
    // The agent survived both: the next call is answered.
    const listed = await ws.callTool(token, 'indicator_list', {});
    expect(listed.ok && listed.toolError).toBeFalsy();
    expect(listed.ok && listed.text).toContain('looper');
  }, 180_000);
});

interface Inspect {
  Id: string;
  Config: { Image: string; User: string; Env: string[] };
  HostConfig: {
    NetworkMode: string;
    ReadonlyRootfs: boolean;
    CapDrop: string[] | null;
    SecurityOpt: string[] | null;
    Memory: number;
    PidsLimit: number;
  };
  Mounts: { Destination: string }[];
}

async function inspect(name: string): Promise<Inspect> {
  const { stdout } = await run('docker', ['inspect', name]);
  return (JSON.parse(stdout) as Inspect[])[0]!;
}
