// An MCP client that no one here wrote — the official Python SDK — lists the resources and
// calls tools on a bound container, straight at its MCP endpoint: the default TypeScript agent,
// and the Python agent (agent-py/) behind the sidecar's data plane (issue 14: one contract, two
// agents), whose write the sidecar commits and pushes.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureStore, signAssertion } from '@warmgate/contract';
import {
  agentCommands,
  CONTEXT_RESOURCE_URIS,
  makeTempDir,
  removeDir,
  startDataPlaneContainer,
  type DataPlaneContainer,
} from '@warmgate/testkit';
import { bindRequest, startContainer, type Container } from './support/container.js';
import { CLIENT_SCRIPT, pythonWithMcp } from './support/python-mcp.js';
import { storeFile } from './support/store-git.js';

const run = promisify(execFile);
let root: string;
let c: Container;
let py: DataPlaneContainer;
let pyDir: string;
let python: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'warmgate-python-'));
  pyDir = makeTempDir('py-client');
  [python, c, py] = await Promise.all([
    pythonWithMcp(),
    startContainer(),
    startDataPlaneContainer({
      workspace: join(pyDir, 'workspace'),
      agentCommand: agentCommands.python,
      stderr: 'keep',
    }),
  ]);
}, 300_000);

afterAll(async () => {
  await Promise.all([c?.stop(), py?.stop()]);
  if (pyDir) removeDir(pyDir);
  await rm(root, { recursive: true, force: true });
});

const agents = [
  ['typescript', () => c, 'warmgate-agent'],
  ['python', () => py, 'warmgate-agent-py'],
] as const;

it.each(agents)(
  'the official Python MCP SDK lists resources and calls tools (%s agent)',
  async (agent, container, serverName) => {
    const c = container();
    const store = await ensureStore(join(root, 'store'));
    const user = `py-user-${agent}`;
    const request = bindRequest({ userId: user, store });
    await c.lifecycle.bind(request);
    const assertion = await signAssertion(request.assertionKey, {
      userId: user,
      bindingId: request.bindingId,
    });
    const { stdout } = await run(python, [CLIENT_SCRIPT, c.mcpUrl.href, assertion], {
      timeout: 60_000,
    });
    const seen = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      server: string;
      resources: string[];
      tools: string[];
      profile_mime: string;
      set_error: boolean;
      state: { symbol: string; timeframe: string };
    };
    expect(seen.server).toBe(serverName);
    expect(seen.resources).toEqual(expect.arrayContaining([...CONTEXT_RESOURCE_URIS]));
    expect(seen.tools).toContain('indicator_compute');
    expect(seen.profile_mime).toBe('application/json');
    expect(seen.set_error).toBe(false);
    expect(seen.state).toMatchObject({ symbol: 'PYUSD', timeframe: '1d' });
    expect(JSON.parse(await storeFile(store, user, 'workspace.json')).symbol).toBe('PYUSD');
  },
  120_000,
);
