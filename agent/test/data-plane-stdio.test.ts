// The data plane with the agent over stdio (the start contract without WARMGATE_AGENT_LISTEN):
// the sidecar starts the Python reference agent (agent-py/bin/warmgate-agent-py, its pinned
// venv made on first use) as its child and speaks MCP to it over stdin/stdout; the gateway's
// side is the same Streamable HTTP with the same commit + push after every write.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { agentv1 } from '@warmgate/proto';
import { bearerHeaders, createClient } from '@warmgate/proto/grpc';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureStore } from '@warmgate/contract';
import {
  bindRequest,
  connectMcp,
  kill,
  startProcess,
  type PortedProcess,
} from './support/container.js';
import { storeFile, storeGit } from './support/store-git.js';
import { ok } from './support/tool-result.js';
import { signAssertion } from '@warmgate/contract';

const PYTHON_AGENT = fileURLToPath(
  new URL('../../agent-py/bin/warmgate-agent-py', import.meta.url),
);
let root: string;
let store: string;
let sidecar: PortedProcess;
let lifecycle: ReturnType<typeof createClient<typeof agentv1.Lifecycle>>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'warmgate-plane-stdio-'));
  store = await ensureStore(join(root, 'store'));
  const workspace = join(root, 'workspace');
  await mkdir(workspace);
  const secret = `sidecar-${Math.random().toString(36).slice(2)}-0123456789`;
  sidecar = await startProcess('sidecar', {
    WARMGATE_WORKSPACE_DIR: workspace,
    WARMGATE_AGENT_HOST: '127.0.0.1',
    WARMGATE_SIDECAR_SECRET: secret,
    WARMGATE_SIDECAR_PORT: '0',
    WARMGATE_SIDECAR_MCP_PORT: '0',
    WARMGATE_SIDECAR_AGENT_COMMAND: JSON.stringify([PYTHON_AGENT]),
  });
  lifecycle = createClient(agentv1.Lifecycle, `127.0.0.1:${sidecar.port}`, {
    headers: bearerHeaders(secret),
  });
}, 300_000);

afterAll(async () => {
  lifecycle?.close();
  if (sidecar) await kill(sidecar);
  await rm(root, { recursive: true, force: true });
});

it('serves the Python agent over stdio: reads, a write committed as the user and pushed, notifications', async () => {
  const request = bindRequest({ userId: 'stdio-user', store });
  await lifecycle.bind(request);
  const token = await signAssertion(request.assertionKey, {
    userId: request.userId,
    bindingId: request.bindingId,
  });
  const client = await connectMcp(new URL(`http://127.0.0.1:${sidecar.mcpPort}/mcp`), {
    'x-warmgate-assertion': token,
  });
  const updated: string[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    updated.push(n.params.uri);
  });
  const { resources } = await client.listResources();
  expect(resources.map((r) => r.uri)).toContain('context://system-prompt');
  await client.subscribeResource({ uri: 'context://system-prompt' });
  await ok(client, 'system_prompt_set', { text: 'over stdio' });
  expect(await storeFile(store, 'stdio-user', 'system-prompt.md')).toMatch(/^over stdio/);
  const author = await storeGit(store, 'stdio-user', ['log', '-1', '--format=%an']);
  expect(author.trim()).toBe('stdio-user');
  await expect.poll(() => updated, { timeout: 10_000 }).toContain('context://system-prompt');
  await client.close();
}, 60_000);
