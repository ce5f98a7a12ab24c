// The sidecar as the data plane (issue 14): the TypeScript agent as a plain MCP server (role
// `mcp`, no credentials, no git) on a Unix socket, the sidecar in front of it checking the
// assertion, and committing + pushing after every write call before answering. Real
// processes, real git, a real bare store.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { AuthMode, ErrorCode, agentv1 } from '@warmgate/proto';
import { bearerHeaders, createClient } from '@warmgate/proto/grpc';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { ensureStore, repoPathFor, signAssertion } from '@warmgate/contract';
import {
  bindRequest,
  connectAs,
  connectMcp,
  kill,
  startDataPlaneContainer,
  startProcess,
  type Container,
} from './support/container.js';
import { storeFile, storeGit, storeLog } from './support/store-git.js';
import { call, ok } from './support/tool-result.js';

const run = promisify(execFile);
let root: string;
let store: string;
const started: Container[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'warmgate-data-plane-'));
  store = await ensureStore(join(root, 'store'));
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.stop()));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function boundContainer(userId: string, env: NodeJS.ProcessEnv = {}) {
  const c = await startDataPlaneContainer(env);
  started.push(c);
  const request = bindRequest({ userId, store });
  await c.lifecycle.bind(request);
  const client = await connectAs(c, request);
  return { c, request, client };
}

describe('the sidecar in front of a plain MCP agent', () => {
  it('refuses requests without the binding assertion, and before bind', async () => {
    const c = await startDataPlaneContainer();
    started.push(c);
    const before = await fetch(c.mcpUrl, { method: 'POST', body: '{}' });
    expect(before.status).toBe(503);
    await c.lifecycle.bind(bindRequest({ userId: 'nobody-else', store }));
    await expect(connectMcp(c.mcpUrl, {})).rejects.toThrow();
    await expect(connectMcp(c.mcpUrl, { 'x-warmgate-assertion': 'not-a-jwt' })).rejects.toThrow();
  });

  it('a request body over 4 MiB: RESOURCE_EXHAUSTED, and the sidecar keeps serving', async () => {
    const { c, request, client } = await boundContainer('plane-big-body');
    const assertion = await signAssertion(request.assertionKey, {
      userId: request.userId,
      bindingId: request.bindingId,
    });
    const response = await fetch(c.mcpUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'x-warmgate-assertion': assertion,
      },
      body: `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"${'x'.repeat(5 * 1024 * 1024)}"}}`,
    });
    expect(response.headers.get('x-warmgate-code')).toBe('RESOURCE_EXHAUSTED');
    expect(await response.text()).toMatch(/request body over 4194304 bytes/);
    await ok(client, 'profile_get');
    await expect(c.lifecycle.getStatus({})).resolves.toMatchObject({ inFlight: 0 });
    await client.close().catch(() => {});
  });

  it('commits a write as the user and pushes it before answering; reads commit nothing', async () => {
    const { client } = await boundContainer('plane-writer');
    const before = await storeLog(store, 'plane-writer');
    const result = (await client.callTool({
      name: 'system_prompt_set',
      arguments: { text: 'through the sidecar' },
    })) as { isError?: boolean; _meta?: Record<string, unknown> };
    expect(result.isError).toBeFalsy();
    // Acknowledged = in the store, with the agent's message, authored by the user.
    expect(await storeFile(store, 'plane-writer', 'system-prompt.md')).toBe(
      'through the sidecar\n',
    );
    const log = await storeLog(store, 'plane-writer');
    expect(log).toHaveLength(before.length + 1);
    expect(log[0]).toBe('System prompt: update');
    expect(result._meta?.['warmgate/commit']).toBe(
      (await storeGit(store, 'plane-writer', ['rev-parse', 'HEAD'])).trim(),
    );
    const author = await storeGit(store, 'plane-writer', ['log', '-1', '--format=%an']);
    expect(author.trim()).toBe('plane-writer');
    await ok(client, 'system_prompt_get');
    await ok(client, 'indicator_list');
    expect(await storeLog(store, 'plane-writer')).toHaveLength(before.length + 1);
    await client.close();
  });

  it('group commit: concurrent writes each get a commit, all in the store when answered', async () => {
    const { client } = await boundContainer('plane-burst');
    const names = Array.from({ length: 8 }, (_, i) => `b${i}`);
    const results = await Promise.all(
      names.map((name, i) =>
        call(client, 'indicator_save', { name, spec: { indicator: 'sma', period: i + 2 } }),
      ),
    );
    expect(results.filter((r) => r.isError)).toEqual([]);
    const files = await storeGit(store, 'plane-burst', [
      'ls-tree',
      '--name-only',
      'HEAD',
      'indicators/',
    ]);
    for (const name of names) expect(files).toContain(`indicators/${name}.json`);
    const log = await storeLog(store, 'plane-burst');
    expect(log.filter((subject) => subject.startsWith('Indicator: save'))).toHaveLength(8);
    await client.close();
  });

  it('a failed push undoes the write and fails the call with UNAVAILABLE; the next write lands', async () => {
    const { c, client } = await boundContainer('plane-unlucky');
    await ok(client, 'system_prompt_set', { text: 'first' });
    const repo = repoPathFor(store, 'plane-unlucky');
    await rename(repo, `${repo}.away`);
    const failed = await client.callTool({
      name: 'system_prompt_set',
      arguments: { text: 'lost' },
    });
    expect(failed.isError).toBe(true);
    expect((failed._meta as Record<string, unknown>)['warmgate/code']).toBe('UNAVAILABLE');
    expect(await ok(client, 'system_prompt_get')).toEqual({ text: 'first\n' });
    const { stdout } = await run('git', ['status', '--porcelain'], { cwd: c.workspace });
    expect(stdout).toBe('');
    expect((await c.lifecycle.getStatus({})).unsavedChanges).toBe(0);
    await rename(`${repo}.away`, repo);
    await ok(client, 'system_prompt_set', { text: 'second' });
    expect(await storeFile(store, 'plane-unlucky', 'system-prompt.md')).toBe('second\n');
    await client.close();
  });

  it('a tool error leaves nothing behind', async () => {
    const { c, client } = await boundContainer('plane-bad-input');
    const before = await storeLog(store, 'plane-bad-input');
    const failed = await call(client, 'indicator_save', {
      name: 'x',
      spec: { indicator: 'no-such-indicator' },
    });
    expect(failed.isError).toBe(true);
    expect(await storeLog(store, 'plane-bad-input')).toEqual(before);
    const { stdout } = await run('git', ['status', '--porcelain'], { cwd: c.workspace });
    expect(stdout).toBe('');
    await client.close();
  });

  it('a write that leaves a link leading outside the workspace: PERMISSION_DENIED, undone, not in the store', async () => {
    // What an agent writing outside the workspace by way of a link leaves: here the test puts
    // the links into the workspace while the write call runs (the agent's own writes are
    // bounded by the runtime: docs/reliability.md).
    const { c, client } = await boundContainer('plane-escape');
    const before = await storeLog(store, 'plane-escape');
    await symlink('/etc', join(c.workspace, 'escape'));
    const refused = await client.callTool({
      name: 'system_prompt_set',
      arguments: { text: 'with a link out' },
    });
    expect(refused.isError).toBe(true);
    expect((refused._meta as Record<string, unknown>)['warmgate/code']).toBe('PERMISSION_DENIED');
    expect(JSON.stringify(refused.content)).toMatch(
      /the agent wrote outside the workspace: escape is a link to \/etc; the write was undone/,
    );
    expect(await storeLog(store, 'plane-escape')).toEqual(before);
    const { stdout } = await run('git', ['status', '--porcelain'], { cwd: c.workspace });
    expect(stdout).toBe('');
    expect(existsSync(join(c.workspace, 'escape'))).toBe(false);
    // A relative link climbing out is refused too; a link inside the workspace is committed.
    await symlink('../../..', join(c.workspace, 'up'));
    expect((await call(client, 'system_prompt_set', { text: 'x' })).isError).toBe(true);
    await symlink('system-prompt.md', join(c.workspace, 'prompt-link'));
    await ok(client, 'system_prompt_set', { text: 'linked inside' });
    const files = await storeGit(store, 'plane-escape', ['ls-tree', '--name-only', 'HEAD']);
    expect(files).toContain('prompt-link');
    expect(files).not.toContain('up');
    // The agent is not at fault: it keeps serving.
    expect((await c.lifecycle.getStatus({})).unsavedChanges).toBe(0);
    await client.close();
  });

  it('forwards resource notifications from the agent', async () => {
    const { client } = await boundContainer('plane-subscriber');
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updated.push(n.params.uri);
    });
    await client.subscribeResource({ uri: 'context://system-prompt' });
    await ok(client, 'system_prompt_set', { text: 'notify me' });
    await expect.poll(() => updated).toContain('context://system-prompt');
    await client.close();
  });

  it('public mode: only read-only tools are listed, a write is refused before the agent sees it', async () => {
    const c = await startDataPlaneContainer();
    started.push(c);
    const request = bindRequest({ userId: 'public-visitor', store, mode: AuthMode.PUBLIC });
    await c.lifecycle.bind(request);
    const client = await connectAs(c, request);
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(0);
    expect(tools.every((tool) => tool.annotations?.readOnlyHint === true)).toBe(true);
    expect(tools.map((tool) => tool.name)).not.toContain('system_prompt_set');
    const refused = await client.callTool({
      name: 'system_prompt_set',
      arguments: { text: 'defaced' },
    });
    expect(refused.isError).toBe(true);
    expect((refused._meta as Record<string, unknown>)['warmgate/code']).toBe('PERMISSION_DENIED');
    await ok(client, 'system_prompt_get');
    await client.close();
  });

  it('drain commits and pushes a stray change', async () => {
    const { c, request, client } = await boundContainer('plane-drain');
    await writeFile(join(c.workspace, 'notes.md'), 'left behind\n');
    const drained = await c.lifecycle.drain({ bindingId: request.bindingId });
    expect(drained.pushed).toBe(true);
    expect(await storeFile(store, 'plane-drain', 'notes.md')).toBe('left behind\n');
    await client.close();
  });

  it('an agent that dies: UNAVAILABLE to the gateway, and the sidecar reports unhealthy', async () => {
    const { c, client } = await boundContainer('plane-crash');
    await ok(client, 'system_prompt_get');
    c.agent.child.kill('SIGKILL');
    await c.agent.exited;
    const response = await fetch(c.mcpUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'x-warmgate-assertion': (
          client.transport as unknown as { _requestInit: { headers: Record<string, string> } }
        )._requestInit.headers['x-warmgate-assertion']!,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'system_prompt_set', arguments: { text: 'x' } },
      }),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('x-warmgate-code')).toBe('UNAVAILABLE');
    await expect(c.lifecycle.getStatus({})).rejects.toMatchObject({
      code: ErrorCode.UNAVAILABLE,
    });
    await client.close().catch(() => {});
  });

  it('an agent that hangs: DEADLINE_EXCEEDED, the write is not acknowledged nor kept', async () => {
    const { c, client, request } = await boundContainer('plane-hang', {
      WARMGATE_SIDECAR_AGENT_TIMEOUT_MS: '1000',
    });
    const before = await storeLog(store, 'plane-hang');
    c.agent.child.kill('SIGSTOP');
    try {
      const failed = await client
        .callTool({ name: 'system_prompt_set', arguments: { text: 'never' } })
        .then(
          () => 'answered',
          (error: Error) => error.message,
        );
      expect(failed).toMatch(/504|did not answer/);
      await expect(c.lifecycle.getStatus({})).rejects.toMatchObject({
        code: ErrorCode.UNAVAILABLE,
      });
    } finally {
      c.agent.child.kill('SIGCONT');
    }
    expect(await storeLog(store, 'plane-hang')).toEqual(before);
    void request;
    await client.close().catch(() => {});
  });

  it('an agent that hangs on a read (passed through as it streams): DEADLINE_EXCEEDED, unhealthy', async () => {
    const { c, client } = await boundContainer('plane-hang-read', {
      WARMGATE_SIDECAR_AGENT_TIMEOUT_MS: '1000',
    });
    await client.listTools(); // the data plane learns profile_get is a read
    expect((await client.callTool({ name: 'profile_get', arguments: {} })).isError).toBeFalsy();
    c.agent.child.kill('SIGSTOP');
    try {
      const failed = await client.callTool({ name: 'profile_get', arguments: {} }).then(
        () => 'answered',
        (error: Error) => error.message,
      );
      expect(failed).toMatch(/504|did not answer/);
      await expect(c.lifecycle.getStatus({})).rejects.toMatchObject({
        code: ErrorCode.UNAVAILABLE,
      });
    } finally {
      c.agent.child.kill('SIGCONT');
    }
    await client.close().catch(() => {});
  });

  it('after the Bind is answered, rehearses one MCP session with the agent (initialize, DELETE) off the Bind path', async () => {
    // A fake agent that records what reaches it and holds the rehearsal's initialize until
    // the Bind has been answered: the Bind must not wait for it.
    const dir = await mkdtemp(join(tmpdir(), 'warmgate-rehearsal-agent-'));
    const workspace = join(dir, 'workspace');
    await mkdir(workspace);
    const socket = join(dir, 'agent.sock');
    const seen: { method: string; rpc?: string; client?: string; session?: string }[] = [];
    let bindAnswered = false;
    let answeredAfterBind: boolean | undefined;
    const fake = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const message = (body ? JSON.parse(body) : {}) as {
          method?: string;
          id?: unknown;
          params?: { clientInfo?: { name?: string } };
        };
        const session = req.headers['mcp-session-id'];
        seen.push({
          method: req.method ?? '',
          rpc: message.method,
          client: message.params?.clientInfo?.name,
          session: typeof session === 'string' ? session : undefined,
        });
        if (message.method === 'initialize') {
          const answer = () => {
            answeredAfterBind = bindAnswered;
            res.writeHead(200, {
              'content-type': 'application/json',
              'mcp-session-id': 'rehearsal-session',
            });
            res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: {} }));
          };
          const waitForBind = () => (bindAnswered ? answer() : setTimeout(waitForBind, 10));
          waitForBind();
          return;
        }
        res.writeHead(req.method === 'DELETE' ? 200 : 400, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    const { sidecar, lifecycle } = await sidecarBefore(fake, socket, workspace);
    try {
      // While warm the agent is only pinged: no session before the bind.
      expect(seen.filter((r) => r.rpc === 'initialize')).toEqual([]);
      await lifecycle.bind(bindRequest({ userId: 'plane-rehearsal', store }));
      bindAnswered = true;
      const deadline = Date.now() + 10_000;
      while (!seen.some((r) => r.method === 'DELETE') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const initialize = seen.filter((r) => r.rpc === 'initialize');
      expect(initialize).toEqual([
        { method: 'POST', rpc: 'initialize', client: 'warmgate-sidecar-rehearsal' },
      ]);
      expect(answeredAfterBind).toBe(true);
      expect(seen.filter((r) => r.method === 'DELETE')).toEqual([
        { method: 'DELETE', rpc: undefined, client: undefined, session: 'rehearsal-session' },
      ]);
      // A rehearsal is never a fault: the sidecar stays healthy.
      const status = await lifecycle.getStatus({});
      expect(status.state).toBe(agentv1.AgentState.BOUND);
    } finally {
      lifecycle.close();
      await kill(sidecar);
      await new Promise((resolve) => fake.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an agent that answers a write with something other than MCP: UNAVAILABLE, nothing kept, unhealthy', async () => {
    // A fake agent in this process on the container's socket: pings are answered, a tool
    // call writes a file into the workspace and answers garbage.
    const dir = await mkdtemp(join(tmpdir(), 'warmgate-bad-agent-'));
    const workspace = join(dir, 'workspace');
    await mkdir(workspace);
    const socket = join(dir, 'agent.sock');
    const fake = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (body.includes('tools/call')) {
          writeFileSync(join(workspace, 'half-written.txt'), 'oops');
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('this is not JSON-RPC');
          return;
        }
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    const { sidecar, lifecycle } = await sidecarBefore(fake, socket, workspace);
    try {
      const request = bindRequest({ userId: 'plane-garbage', store });
      await lifecycle.bind(request);
      const before = await storeLog(store, 'plane-garbage');
      const token = await signAssertion(request.assertionKey, {
        userId: request.userId,
        bindingId: request.bindingId,
      });
      const response = await fetch(`http://127.0.0.1:${sidecar.mcpPort}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'x-warmgate-assertion': token,
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'tools/call',
          params: { name: 'anything', arguments: {} },
        }),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('x-warmgate-code')).toBe('UNAVAILABLE');
      expect(await response.text()).toMatch(/not MCP/);
      expect(existsSync(join(workspace, 'half-written.txt'))).toBe(false);
      expect(await storeLog(store, 'plane-garbage')).toEqual(before);
      await expect(lifecycle.getStatus({})).rejects.toMatchObject({
        code: ErrorCode.UNAVAILABLE,
      });
    } finally {
      lifecycle.close();
      await kill(sidecar);
      await new Promise((resolve) => fake.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** A sidecar in front of `fake`, an agent in this process listening on `socket`. */
async function sidecarBefore(fake: Server, socket: string, workspace: string) {
  await new Promise<void>((resolve) => fake.listen(socket, resolve));
  const secret = `sidecar-${Math.random().toString(36).slice(2)}-0123456789`;
  const sidecar = await startProcess('sidecar', {
    WARMGATE_WORKSPACE_DIR: workspace,
    WARMGATE_AGENT_HOST: '127.0.0.1',
    WARMGATE_SIDECAR_SECRET: secret,
    WARMGATE_SIDECAR_PORT: '0',
    WARMGATE_SIDECAR_MCP_PORT: '0',
    WARMGATE_SIDECAR_AGENT: socket,
  });
  const lifecycle = createClient(agentv1.Lifecycle, `127.0.0.1:${sidecar.port}`, {
    headers: bearerHeaders(secret),
  });
  return { sidecar, lifecycle };
}
