// Bind, drain and status through the real sidecar → agent → git path.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, WarmgateError, agentv1 } from '@warmgate/proto';
import { ensureStore, signAssertion } from '@warmgate/contract';
import {
  bindRequest,
  connectAs,
  kill,
  startContainer,
  type Container,
} from './support/container.js';
import { storeFile, storeLog } from './support/store-git.js';
import { ok, readJson } from './support/tool-result.js';

let root: string;
let store: string;
const containers: Container[] = [];

async function container(): Promise<Container> {
  const c = await startContainer();
  containers.push(c);
  return c;
}

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode | 'ok'> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return WarmgateError.from(error).code;
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'warmgate-lifecycle-'));
  store = await ensureStore(join(root, 'store'));
});

afterAll(async () => {
  await Promise.all(containers.map((c) => c.stop()));
  await rm(root, { recursive: true, force: true });
});

describe('lifecycle', () => {
  it('binds a first-time user from the template, idempotently, and never re-binds', async () => {
    const c = await container();
    const warm = await c.lifecycle.getStatus({});
    expect(warm.state).toBe(agentv1.AgentState.WARM);

    const request = bindRequest({ userId: 'first-timer', store });
    const bound = await c.lifecycle.bind(request);
    expect(bound.created).toBe(true);
    expect(bound.headCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(await storeLog(store, 'first-timer')).toEqual([
      'New workspace from the Warmgate template',
    ]);

    const again = await c.lifecycle.bind(request);
    expect(again.headCommit).toBe(bound.headCommit);

    const other = bindRequest({ userId: 'someone-else', store });
    expect(await codeOf(c.lifecycle.bind(other))).toBe(ErrorCode.FAILED_PRECONDITION);
    const sameUserNewBinding = bindRequest({ userId: 'first-timer', store });
    expect(await codeOf(c.lifecycle.bind(sameUserNewBinding))).toBe(ErrorCode.FAILED_PRECONDITION);

    const status = await c.lifecycle.getStatus({});
    expect(status).toMatchObject({
      state: agentv1.AgentState.BOUND,
      bindingId: request.bindingId,
      userId: 'first-timer',
      tier: 'pro',
      unsavedChanges: 0,
      inFlight: 0,
      headCommit: bound.headCommit,
    });
    expect(status.lastActivity).toBeDefined();
  });

  it("answers an unbound container's MCP requests with a clear error", async () => {
    const c = await container();
    const response = await fetch(c.mcpUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { message: string; data: unknown } };
    expect(body.error.message).toMatch(/not bound/);
    expect(body.error.data).toEqual({ warmgate_code: 'UNAVAILABLE' });
    const health = await fetch(new URL('/healthz', c.mcpUrl));
    expect(await health.json()).toEqual({ status: 'ok', state: 'warm' });
  });

  it('refuses to bind into a workspace that is not empty', async () => {
    const c = await container();
    await writeFile(join(c.workspace, 'left-over.txt'), 'someone else');
    const request = bindRequest({ userId: 'careful', store });
    expect(await codeOf(c.lifecycle.bind(request))).toBe(ErrorCode.FAILED_PRECONDITION);
  });

  it('keeps a write through drain → destroy → bind of a new container', async () => {
    const first = await container();
    const request = bindRequest({ userId: 'durable', store });
    await first.lifecycle.bind(request);
    const client = await connectAs(first, request);
    await ok(client, 'system_prompt_set', { text: 'Always answer in haiku.' });
    await client.close();

    const drained = await first.lifecycle.drain({ bindingId: request.bindingId });
    expect(drained.pushed).toBe(true);
    expect((await first.lifecycle.getStatus({})).state).toBe(agentv1.AgentState.DRAINED);
    await Promise.all([kill(first.agent), kill(first.sidecar)]);
    expect(await storeFile(store, 'durable', 'system-prompt.md')).toBe('Always answer in haiku.\n');

    const second = await container();
    const next = bindRequest({ userId: 'durable', store });
    const bound = await second.lifecycle.bind(next);
    expect(bound.created).toBe(false);
    expect(bound.headCommit).toBe(drained.headCommit);
    const again = await connectAs(second, next);
    const prompt = await again.readResource({ uri: 'context://system-prompt' });
    expect(prompt.contents[0]).toMatchObject({
      mimeType: 'text/markdown',
      text: 'Always answer in haiku.\n',
    });
    await again.close();
  });

  it('refuses new work once draining, and a drain for another binding', async () => {
    const c = await container();
    const request = bindRequest({ userId: 'drainer', store });
    await c.lifecycle.bind(request);
    expect(await codeOf(c.lifecycle.drain({ bindingId: 'not-this-one' }))).toBe(
      ErrorCode.FAILED_PRECONDITION,
    );
    const client = await connectAs(c, request);
    await c.lifecycle.drain({ bindingId: request.bindingId });
    await expect(readJson(client, 'context://user-profile')).rejects.toThrow();
    await client.close().catch(() => {});
    const token = await signAssertion(request.assertionKey, {
      userId: request.userId,
      bindingId: request.bindingId,
    });
    const refused = await fetch(c.mcpUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'x-warmgate-assertion': token,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    expect(refused.status).toBe(503);
  });

  it('drains on SIGTERM: the sidecar and the agent exit cleanly', async () => {
    const c = await container();
    const request = bindRequest({ userId: 'terminated', store });
    await c.lifecycle.bind(request);
    const client = await connectAs(c, request);
    await ok(client, 'workspace_set_chart', { symbol: 'ETHUSDT' });
    await client.close();
    const [sidecarCode, agentCode] = await Promise.all([kill(c.sidecar), kill(c.agent)]);
    expect(sidecarCode).toBe(0);
    expect(agentCode).toBe(0);
    expect(JSON.parse(await storeFile(store, 'terminated', 'workspace.json'))).toMatchObject({
      symbol: 'ETHUSDT',
    });
  });
});
