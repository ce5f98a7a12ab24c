// MCP over stdio, for local debugging (e.g. with an MCP inspector): serves the workspace
// folder as WARMGATE_STDIO_USER_ID, with no auth and no store — changes are committed in the
// workspace's own repository and never pushed. An empty folder starts from the template.
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { AuthMode } from '@warmgate/proto';
import type { AgentConfig } from '../config.js';
import { createMcpServer } from '../mcp/create-server.js';
import { createTemplateRepo } from '../workspace/template-repo.js';
import { restoreWorkspace } from '../workspace/restore.js';
import { AgentCore } from './agent-core.js';

export async function startStdio(config: AgentConfig): Promise<{ close(): Promise<void> }> {
  const entries = await readdir(config.workspaceDir).catch(() => undefined);
  if (entries === undefined || entries.length === 0) {
    const template = await createTemplateRepo();
    try {
      await restoreWorkspace({ url: '', ephemeral: true }, config.workspaceDir, template.path);
    } finally {
      await template.remove();
    }
  }
  const core = new AgentCore(config.workspaceDir);
  await core.bind({
    bindingId: 'stdio',
    userId: config.stdioUserId,
    tier: 'local',
    mode: AuthMode.GATEWAY,
    // stdio has no per-request auth; the key only satisfies the binding's shape.
    assertionKey: randomBytes(32).toString('base64url'),
    repository: { url: '', credential: '', ephemeral: true },
  });
  const session = createMcpServer({ core, serving: core.current() });
  const transport = new StdioServerTransport();
  await session.server.connect(transport);
  return {
    async close() {
      session.dispose();
      await core.drain('stdio', config.drainTimeoutMs);
      await session.server.close();
    },
  };
}
