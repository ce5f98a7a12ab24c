// `node agent/dist/main.js stdio`: MCP over stdio on a local workspace, for debugging.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAIN } from './support/container.js';
import { ok } from './support/tool-result.js';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warmgate-stdio-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('serves an empty folder from the template and commits changes locally', async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MAIN, 'stdio'],
    env: { ...process.env, WARMGATE_WORKSPACE_DIR: dir, WARMGATE_STDIO_USER_ID: 'dev' } as Record<
      string,
      string
    >,
    stderr: 'inherit',
  });
  const client = new Client({ name: 'stdio-test', version: '0' });
  await client.connect(transport);
  const { resources } = await client.listResources();
  expect(resources.map((r) => r.uri)).toContain('context://workspace-state');
  await ok(client, 'workspace_set_chart', { symbol: 'LOCAL' });
  await client.close();
  const { stdout } = await run('git', ['log', '-1', '--format=%an %s'], { cwd: dir });
  expect(stdout.trim()).toBe('dev Chart: set symbol LOCAL');
});
