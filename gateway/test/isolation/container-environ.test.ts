// Secrets stay out of agents: `npm start`'s stack (gateway + pool manager in one process, real
// agent and sidecar processes) started with every secret a deployment has, then every live
// container process — agents (role `mcp`), sidecars, and the git processes the sidecar spawns
// while it commits and pushes — has its /proc/<pid>/environ read: none holds any of the secrets.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { containerPids } from '@warmgate/testkit';
import { grpcCaller, type Caller } from '../reliability/support/callers.js';
import { makeDirectKeys } from '../reliability/support/direct-keys.js';
import { startStack, type StackProcess } from '../support/stack-process.js';
import { jwt, testAudience, testIssuer, testSecret } from '../support/tokens.js';

let dir: string;
let stack: StackProcess | undefined;
let caller: Caller | undefined;
let secrets: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warmgate-environ-'));
  const keys = await makeDirectKeys();
  secrets = {
    WARMGATE_AUTH_HS256_SECRET: testSecret,
    WARMGATE_LLM_API_KEY: 'sk-test-llm-key-that-must-not-reach-an-agent',
    WARMGATE_POOL_SECRET: 'pool-deployment-secret-that-must-not-reach-an-agent',
    WARMGATE_STORE_SECRET: 'store-hmac-secret-that-must-not-reach-an-agent-0123',
    WARMGATE_AGENT_JWE_PRIVATE_KEY: keys.agentEnv.WARMGATE_AGENT_JWE_PRIVATE_KEY!,
  };
  stack = await startStack({
    ...secrets,
    WARMGATE_AUTH_ISSUER: testIssuer,
    WARMGATE_AUTH_AUDIENCE: testAudience,
    WARMGATE_POOL_STATE_DIR: join(dir, 'containers'),
    WARMGATE_POOL_PROFILES: 'standard:min=2:max=6',
  });
  caller = grpcCaller(stack.grpcAddress);
}, 90_000);

afterAll(async () => {
  caller?.close();
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Secret values found in a process's environment, by the setting's name. */
function leaked(pid: number): string[] {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return []; // exited meanwhile
  }
  const found: string[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    // The first line of a PEM is common to every key; its body is what must not leak.
    const probe = value.includes('-----') ? value.split('\n')[1]! : value;
    if (environ.includes(probe) || environ.includes(`${name}=`)) found.push(name);
  }
  return found;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

it('no agent, sidecar or git process of a container holds a secret of the deployment', async () => {
  const token = await jwt({ sub: 'erin' });
  const seen = new Map<number, string>();
  const leaks: string[] = [];
  const scan = () => {
    for (const pid of containerPids(dir)) {
      seen.set(pid, commandOf(pid));
      for (const name of leaked(pid)) leaks.push(`${commandOf(pid)} (pid ${pid}): ${name}`);
    }
  };
  // Scan while writes run, so the agent's git children (commit, push) are caught alive.
  let writing = true;
  const scanning = (async () => {
    while (writing) {
      scan();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  try {
    for (let i = 0; i < 5; i++) {
      const outcome = await caller!.callTool(token, 'system_prompt_set', { text: `prompt ${i}` });
      expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    }
  } finally {
    writing = false;
    await scanning;
  }
  scan();
  const commands = [...seen.values()];
  const agents = commands.filter((c) => c.endsWith(' mcp')).length;
  console.log(
    `environ: ${seen.size} container processes read (${agents} agents, ${commands.filter((c) => c.endsWith(' sidecar')).length} sidecars, ${commands.filter((c) => /^(\S*\/)?git /.test(c)).length} git)`,
  );
  expect(agents).toBeGreaterThanOrEqual(2);
  expect(commands.filter((c) => c.endsWith(' sidecar')).length).toBeGreaterThanOrEqual(2);
  expect(leaks).toEqual([]);
}, 60_000);
