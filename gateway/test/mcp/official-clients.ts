// The official MCP clients — the TypeScript SDK (@modelcontextprotocol/sdk) and the Python SDK
// (`mcp` 2.3.0 from PyPI, @warmgate/testkit's pythonWithMcp) — against a real stack's /mcp
// edge, for one agent (issue 14: one contract, two agents): the default TypeScript agent in
// mcp-interop.test.ts, the Python agent in test/e2e/python-agent.test.ts. Each lists tools,
// reads context://user-profile and calls a user tool; the TypeScript client also writes.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { pythonWithMcp } from '@warmgate/testkit';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const pythonClient = fileURLToPath(new URL('./python/gateway_client.py', import.meta.url));

export interface OfficialClientsTarget {
  /** The stack's MCP endpoint (`<base>/mcp`). */
  mcpUrl(): string;
  /** A user whose profile names them (display_name = the user id). */
  readonly user: string;
  token(): string;
}

/** The TypeScript SDK client, with the bearer token (none = public). */
export async function tsClient(mcpUrl: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'official-ts-client', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcpUrl), {
      requestInit: { headers: token ? { authorization: `Bearer ${token}` } : {} },
    }),
  );
  return client;
}

const textOf = (result: Awaited<ReturnType<Client['callTool']>>) =>
  (result.content as { type: string; text?: string }[]).map((part) => part.text ?? '').join('');

export function describeOfficialClients(agent: string, target: OfficialClientsTarget): void {
  describe(`the official TypeScript SDK client against the ${agent} agent`, () => {
    it('lists tools, reads context://user-profile, calls a read and a write tool', async () => {
      const client = await tsClient(target.mcpUrl(), target.token());
      try {
        const { tools } = await client.listTools();
        const byName = new Map(tools.map((tool) => [tool.name, tool]));
        expect([...byName.keys()]).toEqual(
          expect.arrayContaining(['market_quote', 'profile_get', 'profile_update']),
        );
        expect(byName.get('profile_get')?.annotations?.readOnlyHint).toBe(true);
        expect(byName.get('conversation_append')).toBeUndefined(); // internal to the gateway
        const profile = await client.readResource({ uri: 'context://user-profile' });
        expect(JSON.stringify(profile.contents)).toContain(target.user);
        const read = await client.callTool({ name: 'profile_get', arguments: {} });
        expect(read.isError).toBeFalsy();
        expect(textOf(read)).toContain(target.user);
        const write = await client.callTool({
          name: 'system_prompt_set',
          arguments: { text: `Be brief, ${agent}.` },
        });
        expect(write.isError, textOf(write)).toBeFalsy();
        const prompt = await client.readResource({ uri: 'context://system-prompt' });
        expect(JSON.stringify(prompt.contents)).toContain(`Be brief, ${agent}.`);
      } finally {
        await client.close();
      }
    }, 120_000);

    it('public (no token): only read-only tools, and a write is refused', async () => {
      const client = await tsClient(target.mcpUrl());
      try {
        const { tools } = await client.listTools();
        expect(tools.length).toBeGreaterThan(0);
        expect(tools.filter((tool) => tool.annotations?.readOnlyHint !== true)).toEqual([]);
        const refused = await client
          .callTool({ name: 'system_prompt_set', arguments: { text: 'x' } })
          .then(
            (result) => (result.isError ? textOf(result) : 'accepted'),
            (error: Error) => error.message,
          );
        expect(refused).toMatch(/read-only/);
      } finally {
        await client.close();
      }
    }, 120_000);
  });

  describe(`the official Python SDK (mcp 2.3.0) against the ${agent} agent`, () => {
    interface Seen {
      server?: string;
      version: string;
      tools: string[];
      profile: string;
      call_error: boolean;
      call_text: string;
    }
    const python = async (who: string, mode: string): Promise<Seen> => {
      const { stdout } = await run(
        await pythonWithMcp(),
        [pythonClient, target.mcpUrl(), who, mode],
        { timeout: 60_000 },
      );
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as Seen;
    };

    // ClientSession + initialize; mcp.Client pinned to the stateless revision; mcp.Client
    // 'auto', which probes server/discover and takes 2026-07-28 when offered.
    for (const [mode, version] of [
      ['legacy', '2025-11-25'],
      ['2026-07-28', '2026-07-28'],
      ['auto', '2026-07-28'],
    ] as const) {
      it(`${mode}: lists tools, reads context://user-profile and calls a user tool (${version})`, async () => {
        const seen = await python(target.token(), mode);
        if (mode === 'legacy') expect(seen.server).toBe('warmgate');
        expect(seen.version).toBe(version);
        expect(seen.tools).toEqual(expect.arrayContaining(['market_quote', 'profile_get']));
        expect(seen.profile).toContain(target.user);
        expect(seen.call_error).toBe(false);
        expect(seen.call_text).toContain(target.user);
      }, 300_000);
    }

    it('auto without a token: discover offers no stateless revision, so it gets a 2025-11-25 session', async () => {
      const seen = await python('-', 'auto');
      expect(seen.version).toBe('2025-11-25');
      expect(seen.tools).not.toContain('profile_update'); // public: read-only tools only
      expect(seen.call_error).toBe(false);
    }, 300_000);
  });
}
