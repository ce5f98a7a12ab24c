// What a warm sidecar loads and runs before it is bound (docs/benchmarks.md, footprint): its
// start-up modules, with the data plane, must not pull in the libraries only a bound container
// or the agent uses — zod (the workspace schemas), jose (credential checks, loaded on the first
// one), the MCP SDK (the agent's), undici (node:http's ESM facade) — and, with
// WARMGATE_SIDECAR_TURBOFAN=bind, it must not start V8's optimizing compiler
// (warm-compiler.ts): each costs resident memory in every warm container.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { agentv1 } from '@warmgate/proto';
import { bearerHeaders, createClient } from '@warmgate/proto/grpc';
import { ensureStore } from '@warmgate/contract';
import { spawnEntry, startAgentRole, type RoleProcess } from '@warmgate/testkit';
import { MAIN, bindRequest } from './support/container.js';

const run = promisify(execFile);

/** Every module URL a fresh Node process resolves while importing `files` (no code run). */
async function modulesLoadedBy(files: string[]): Promise<string[]> {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = [];
    registerHooks({ resolve(specifier, context, next) {
      const result = next(specifier, context);
      seen.push(result.url);
      return result;
    } });
    for (const file of ${JSON.stringify(files.map((file) => pathToFileURL(file).href))}) {
      await import(file);
    }
    process.stdout.write(JSON.stringify(seen));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    timeout: 30_000,
  });
  return JSON.parse(stdout) as string[];
}

/** V8's --trace-opt lines of a TurboFan compilation. */
const turbofanLines = (output: string) =>
  output.split('\n').filter((line) => /completed optimizing.*target TURBOFAN/.test(line));

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'warmgate-warm-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

it('a warm sidecar (with the data plane) loads no zod, jose or MCP SDK', async () => {
  const dist = dirname(MAIN);
  const loaded = await modulesLoadedBy([
    join(dist, 'sidecar/start-sidecar.js'),
    join(dist, 'sidecar/data-plane/start-data-plane.js'),
  ]);
  // The check sees the modules: grpc-js is the sidecar's own.
  expect(loaded.some((url) => url.includes('/@grpc/grpc-js/'))).toBe(true);
  for (const lazy of ['/node_modules/zod/', '/node_modules/jose/', '/@modelcontextprotocol/sdk/']) {
    expect(loaded.filter((url) => url.includes(lazy))).toEqual([]);
  }
});

it('a warm sidecar loads no undici (node:http is required, not imported as ESM)', async () => {
  const dist = dirname(MAIN);
  const script = `
    for (const file of ${JSON.stringify(
      ['sidecar/start-sidecar.js', 'sidecar/data-plane/start-data-plane.js'].map(
        (file) => pathToFileURL(join(dist, file)).href,
      ),
    )}) await import(file);
    process.stdout.write(JSON.stringify(process.moduleLoadList));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    timeout: 30_000,
  });
  const builtins = JSON.parse(stdout) as string[];
  // The check sees the built-ins: node:http is the data plane's own.
  expect(builtins).toContain('NativeModule http');
  expect(builtins.filter((name) => /undici|worker_threads/.test(name))).toEqual([]);
});

it('with WARMGATE_SIDECAR_TURBOFAN=bind, turns TurboFan off in a sidecar until enableOptimizingCompiler', async () => {
  const compiler = pathToFileURL(join(dirname(MAIN), 'warm-compiler.js')).href;
  // A loop this long is compiled by TurboFan (on-stack replacement) whenever it is on.
  const script = (role: string) => `
    process.argv[2] = ${JSON.stringify(role)};
    const { enableOptimizingCompiler, optimizingCompilerEnabled } = await import(${JSON.stringify(compiler)});
    const loop = (step) => { let sum = 0; for (let i = 0; i < 3e7; i++) sum += i % step; return sum; };
    console.log('warm', optimizingCompilerEnabled());
    loop(7);
    enableOptimizingCompiler();
    console.log('bound', optimizingCompilerEnabled());
    const again = (step) => { let sum = 0; for (let i = 0; i < 3e7; i++) sum += i % step; return sum; };
    again(5);
  `;
  const trace = async (role: string, setting?: string) => {
    const { stdout } = await run(
      process.execPath,
      ['--trace-opt', '--input-type=module', '-e', script(role)],
      {
        timeout: 60_000,
        env: { ...process.env, WARMGATE_SIDECAR_TURBOFAN: setting },
      },
    );
    const [before = '', after = ''] = stdout.split(/^bound /m);
    return { before: turbofanLines(before), after: turbofanLines(after), stdout };
  };
  const sidecar = await trace('sidecar', 'bind');
  expect(sidecar.stdout).toMatch(/^warm false/m);
  expect(sidecar.before).toEqual([]);
  expect(sidecar.after.length).toBeGreaterThan(0);
  // The default (ready), and the agent's own roles: the same loop is compiled at once.
  for (const [role, setting] of [
    ['sidecar', undefined],
    ['mcp', 'bind'],
  ] as const) {
    const left = await trace(role, setting);
    expect(left.stdout).toMatch(/^warm true/m);
    expect(left.before.length).toBeGreaterThan(0);
  }
}, 120_000);

it('a real warm sidecar with WARMGATE_SIDECAR_TURBOFAN=bind answers with no TurboFan compilation; Bind works', async () => {
  const workspace = join(root, 'workspace');
  await mkdir(workspace);
  const store = await ensureStore(join(root, 'store'));
  const listen = join(root, 'mcp.sock');
  const secret = 'warm-compiler-test-0123456789';
  const started: RoleProcess[] = [];
  try {
    started.push(
      await startAgentRole('mcp', { WARMGATE_WORKSPACE: workspace, WARMGATE_AGENT_LISTEN: listen }),
    );
    const sidecar = await spawnEntry<{ role: string; port: number }>(MAIN, {
      name: 'sidecar',
      args: ['sidecar'],
      execArgv: ['--trace-opt'],
      env: {
        WARMGATE_WORKSPACE_DIR: workspace,
        WARMGATE_AGENT_HOST: '127.0.0.1',
        WARMGATE_SIDECAR_SECRET: secret,
        WARMGATE_SIDECAR_PORT: '0',
        WARMGATE_SIDECAR_MCP_PORT: '0',
        WARMGATE_SIDECAR_AGENT: listen,
        WARMGATE_SIDECAR_TURBOFAN: 'bind',
      },
      stderr: 'inherit',
      ready: (line) => line.ready === true && line.role === 'sidecar',
    });
    started.push(sidecar);
    const lifecycle = createClient(agentv1.Lifecycle, `127.0.0.1:${sidecar.ready.port}`, {
      headers: bearerHeaders(secret),
    });
    try {
      for (let i = 0; i < 20; i++) {
        expect((await lifecycle.getStatus({})).state).toBe(agentv1.AgentState.WARM);
      }
      expect(turbofanLines(sidecar.output())).toEqual([]);
      const bound = await lifecycle.bind(bindRequest({ userId: 'warm-compiler', store }));
      expect(bound.headCommit).toMatch(/^[0-9a-f]{40}$/);
      expect((await lifecycle.getStatus({})).state).toBe(agentv1.AgentState.BOUND);
    } finally {
      lifecycle.close();
    }
  } finally {
    for (const process of started.reverse()) await process.stop();
  }
}, 120_000);
