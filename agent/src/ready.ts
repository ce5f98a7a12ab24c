// The readiness announcement of the container contract (docs/architecture.md): exactly one
// JSON line on stdout, and the same JSON in WARMGATE_READY_FILE (written atomically, so a
// reader never sees half of it).
import { rename, writeFile } from 'node:fs/promises';

export async function announceReady(
  role: 'agent' | 'sidecar',
  port: number,
  readyFile: string | undefined,
): Promise<void> {
  const line = JSON.stringify({ ready: true, role, port });
  if (readyFile) {
    const temp = `${readyFile}.${process.pid}.tmp`;
    await writeFile(temp, line);
    await rename(temp, readyFile);
  }
  process.stdout.write(`${line}\n`);
}
