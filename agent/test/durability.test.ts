// What the store and the workspace owe each other: a write that could not reach the store is
// not kept half-done, and the workspace does not depend on the store's files after bind.
import { execFile } from 'node:child_process';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureStore, repoPathFor } from '@warmgate/contract';
import { bindRequest, connectAs, startContainer, type Container } from './support/container.js';
import { storeFile, storeGit, storeLog } from './support/store-git.js';
import { call, ok } from './support/tool-result.js';

const run = promisify(execFile);
let root: string;
let store: string;
let c: Container;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'warmgate-durability-'));
  store = await ensureStore(join(root, 'store'));
  c = await startContainer();
});

afterAll(async () => {
  await c?.stop();
  await rm(root, { recursive: true, force: true });
});

it('rolls a write back when the store cannot take it, and keeps the next one', async () => {
  const request = bindRequest({ userId: 'unlucky', store });
  await c.lifecycle.bind(request);
  const client = await connectAs(c, request);
  await ok(client, 'system_prompt_set', { text: 'first' });

  const repo = repoPathFor(store, 'unlucky');
  await rename(repo, `${repo}.away`);
  const failed = await call(client, 'system_prompt_set', { text: 'lost' });
  expect(failed.isError).toBe(true);
  expect(failed.text).toMatch(/^UNAVAILABLE: the store refused the write; it was undone/);
  expect(await ok(client, 'system_prompt_get')).toEqual({ text: 'first\n' });
  expect((await c.lifecycle.getStatus({})).unsavedChanges).toBe(0);
  const { stdout } = await run('git', ['status', '--porcelain'], { cwd: c.workspace });
  expect(stdout).toBe('');
  await rename(`${repo}.away`, repo);

  await ok(client, 'system_prompt_set', { text: 'second' });
  expect(await storeFile(store, 'unlucky', 'system-prompt.md')).toBe('second\n');
  const log = await storeLog(store, 'unlucky');
  expect(log.filter((subject) => subject.startsWith('System prompt'))).toHaveLength(2);

  // The store repacks and prunes: the workspace owns its objects and carries on.
  await storeGit(store, 'unlucky', ['gc', '--quiet', '--prune=now']);
  await run('git', ['fsck', '--no-progress'], { cwd: c.workspace });
  await ok(client, 'profile_update', { display_name: 'Still here' });
  expect(JSON.parse(await storeFile(store, 'unlucky', 'profile.json')).displayName).toBe(
    'Still here',
  );
  await storeGit(store, 'unlucky', ['fsck', '--no-progress']);
  await client.close();
});
