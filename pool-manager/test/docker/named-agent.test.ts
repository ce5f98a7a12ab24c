// A named agent on the Docker runtime (issue 14): a profile naming `typescript-mcp` gets the
// agent image in role `mcp` (a plain MCP server, no Warmgate code on its side) with the sidecar
// as the data plane in its network namespace. The binding's MCP is the sidecar's mcp.sock; a
// write is committed by the sidecar and pushed to the store before the answer; the agent
// container holds no secret file. (The Python agent's image: gateway/test/e2e/
// python-agent-docker.test.ts.) Needs Docker (started if missing and root) and the agent image.
import { execFileSync } from 'node:child_process';
import { repoPathFor } from '@warmgate/contract';
import type { poolv1 } from '@warmgate/proto';
import { AuthMode, parseMcpUrl } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolManager, type RunningPoolManager } from '../../src/index.js';
import {
  callTool,
  poolClient,
  waitFor,
  warmCount,
  type PoolClient,
  type Sandbox,
} from '../support.js';
import {
  dockerInspect,
  dockerPoolEnv,
  poolContainers,
  restartAfterKill,
  useDockerPools,
} from './docker-support.js';

const env = dockerPoolEnv('standard:min=1:max=3', { WARMGATE_POOL_AGENT: 'typescript-mcp' });
const pools = useDockerPools();
let sandbox: Sandbox | undefined;
let pool: RunningPoolManager | undefined;
let client: PoolClient | undefined;
let binding: poolv1.Binding;

beforeAll(async () => {
  sandbox = pools.sandbox(env);
  pool = await startPoolManager(sandbox.config());
  const pm = (client = poolClient(pool.address));
  await waitFor('a warm container', async () => (await warmCount(pm)) >= 1, 120_000);
  binding = (await pm.acquire({ userId: 'nina', tier: 'pro', mode: AuthMode.GATEWAY })).binding!;
}, 300_000);

afterAll(async () => {
  client?.close();
  await pool?.close();
  // Shutdown drains every binding and destroys every container it made.
  if (sandbox) expect(await poolContainers(sandbox.stateDir)).toEqual([]);
}, 180_000);

describe('docker runtime: a named agent behind the sidecar', () => {
  it("serves the binding's MCP from the sidecar's mcp.sock", () => {
    expect(parseMcpUrl(binding.mcpUrl).socketPath).toMatch(/\/box\/mcp\.sock$/);
  });

  it('runs the agent image in role mcp with no secret file, the sidecar in its namespace', async () => {
    const agent = await dockerInspect(`warmgate-${binding.containerId}-agent`);
    const sidecar = await dockerInspect(`warmgate-${binding.containerId}-sidecar`);
    expect(agent.HostConfig.NetworkMode).toBe('none');
    expect(sidecar.HostConfig.NetworkMode).toBe(`container:${agent.Id}`);
    expect(agent.Mounts.map((m) => m.Destination)).toEqual(['/warmgate']);
    expect(sidecar.Mounts.map((m) => m.Destination)).toContain('/run/warmgate/sidecar.secret');
    expect(agent.Config.Env).toEqual(
      expect.arrayContaining([
        'WARMGATE_WORKSPACE=/warmgate/workspace',
        'WARMGATE_AGENT_LISTEN=127.0.0.1:0',
        'WARMGATE_AGENT_ISOLATION=container',
      ]),
    );
    expect(agent.Config.Env.join('\n')).not.toMatch(/SIDECAR_SECRET|JWE/);
  });

  it('commits and pushes a write before answering', async () => {
    await callTool(binding, 'system_prompt_set', { text: 'from a named agent' });
    expect(await callTool(binding, 'system_prompt_get', {})).toMatchObject({
      text: 'from a named agent\n',
    });
    const log = execFileSync(
      'git',
      ['--git-dir', repoPathFor(sandbox!.storeDir, 'nina'), 'log', '--format=%an', '-1'],
      { encoding: 'utf8' },
    );
    expect(log.trim()).toBe('nina');
  });
});

describe('docker runtime: a named agent after kill -9 of the pool manager', () => {
  it(
    'is adopted by the next pool manager, still behind the sidecar',
    () =>
      restartAfterKill(pools, pools.sandbox(env), {
        userId: 'olga',
        warm: 1,
        async check(adopted) {
          expect(parseMcpUrl(adopted.mcpUrl).socketPath).toMatch(/\/box\/mcp\.sock$/);
          await callTool(adopted, 'system_prompt_set', { text: 'adopted' });
          expect(await callTool(adopted, 'system_prompt_get', {})).toMatchObject({
            text: 'adopted\n',
          });
        },
      }),
    600_000,
  );
});
