// The readiness announcement of the container contract (docs/architecture.md): exactly one
// JSON line on stdout, and the same JSON in WARMGATE_READY_FILE (written atomically, so a
// reader never sees half of it). A `container` (agent and sidecar in one process) announces
// the sidecar's port as `port` and the agent's as `agentPort`; a data-plane sidecar names its
// MCP port for the gateway as `mcpPort`.
import { rename, writeFile } from 'node:fs/promises';

export async function announceReady(
  role: 'sidecar' | 'container' | 'mcp',
  port: number,
  readyFile: string | undefined,
  agentPort?: number,
  mcpPort?: number,
): Promise<void> {
  const line = JSON.stringify({
    ready: true,
    role,
    port,
    ...(agentPort ? { agentPort } : {}),
    ...(mcpPort ? { mcpPort } : {}),
  });
  if (readyFile) {
    const temp = `${readyFile}.${process.pid}.tmp`;
    await writeFile(temp, line);
    await rename(temp, readyFile);
  }
  process.stdout.write(`${line}\n`);
}
