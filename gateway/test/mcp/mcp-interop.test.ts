// Clients no one here wrote, against /mcp of the stack exactly as `npm start` runs it (real
// pool manager and agents): the official MCP conformance suite in server mode (with the
// expected-failures baseline next to this file), the official TypeScript and Python SDKs
// (official-clients.ts), and the MCP Inspector's CLI. Each lists tools, reads context://user-profile and calls a user tool.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type StackProcess } from '../support/stack-process.js';
import { describeOfficialClients } from './official-clients.js';
import { jwt, testAudience, testIssuer, testSecret } from '../support/tokens.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const conformanceCli = join(
  repoRoot,
  'node_modules/@modelcontextprotocol/conformance/dist/index.js',
);
const inspectorCli = join(
  repoRoot,
  'node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js',
);
const baseline = fileURLToPath(new URL('./conformance-baseline.yml', import.meta.url));

let stack: StackProcess;
let scratch: string;
let mcpUrl: string;
const user = 'ursula-mcp';
let token: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'warmgate-mcp-interop-'));
  stack = await startStack({
    // The conformance suite opens dozens of anonymous sessions, each holding a public container
    // until its idle timeout; the public cap (default 4, proved in gateway/test/security) is not
    // what this suite is about.
    WARMGATE_POOL_PUBLIC_PROFILE: 'public:min=0:max=40',
    WARMGATE_AUTH_HS256_SECRET: testSecret,
    WARMGATE_AUTH_ISSUER: testIssuer,
    WARMGATE_AUTH_AUDIENCE: testAudience,
  });
  mcpUrl = `${stack.baseUrl}/mcp`;
  token = await jwt({ sub: user });
  // The user names themself, so each client's answers show whose agent ran.
  const client = new Client({ name: 'setup', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcpUrl), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  await client.callTool({ name: 'profile_update', arguments: { display_name: user } });
  await client.close();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the official MCP conformance suite, server mode', () => {
  it('passes every scenario outside the expected-failures baseline', async () => {
    const outcome = await run(
      process.execPath,
      [
        conformanceCli,
        'server',
        '--url',
        mcpUrl,
        '--suite',
        'all',
        '--expected-failures',
        baseline,
        '-o',
        join(scratch, 'conformance'),
      ],
      { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
    ).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? -1,
        output: `${error.stdout ?? ''}\n${error.stderr ?? ''}`,
      }),
    );
    const summary = outcome.output.slice(outcome.output.indexOf('=== SUMMARY ==='));
    expect(outcome.code, summary).toBe(0);
    expect(summary).toMatch(/✓ server-initialize/);
  }, 300_000);
});

// The official TypeScript and Python SDK clients (the same checks run against the Python agent
// in test/e2e/python-agent.test.ts).
describeOfficialClients('typescript', {
  mcpUrl: () => mcpUrl,
  user,
  token: () => token,
});

describe('the MCP Inspector CLI (@modelcontextprotocol/inspector 2.12.0 --cli)', () => {
  const inspect = async (...args: string[]) => {
    const { stdout } = await run(
      process.execPath,
      [
        inspectorCli,
        '--cli',
        mcpUrl,
        '--transport',
        'http',
        '--header',
        `Authorization: Bearer ${token}`,
        ...args,
      ],
      {
        timeout: 60_000,
        // Its catalog and storage (~/.mcp-inspector) go to the scratch folder, not the home.
        env: {
          ...process.env,
          HOME: scratch,
          MCP_CATALOG_PATH: join(scratch, 'inspector-catalog.json'),
        },
      },
    );
    return JSON.parse(stdout) as Record<string, unknown>;
  };

  it('lists tools, reads context://user-profile and calls a user tool', async () => {
    const { tools } = (await inspect('--method', 'tools/list')) as { tools: { name: string }[] };
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['market_quote', 'profile_get']),
    );
    const read = (await inspect(
      '--method',
      'resources/read',
      '--uri',
      'context://user-profile',
    )) as {
      contents: { uri: string; text: string }[];
    };
    expect(read.contents[0]?.text).toContain(user);
    const call = (await inspect('--method', 'tools/call', '--tool-name', 'profile_get')) as {
      isError: boolean;
      content: { text: string }[];
    };
    expect(call.isError).toBe(false);
    expect(call.content[0]?.text).toContain(user);
  }, 120_000);
});
