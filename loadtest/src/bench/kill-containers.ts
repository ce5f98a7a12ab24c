// After a split stack stops: whatever local-runtime container processes are left (each agent
// and sidecar leads its own process group, recorded in `<state dir>/<id>/<role>.pid`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** SIGKILLs the process group of every agent and sidecar recorded under `stateDir`. */
export function killContainers(stateDir: string): void {
  if (!existsSync(stateDir)) return;
  for (const id of readdirSync(stateDir)) {
    for (const role of ['agent', 'sidecar']) {
      try {
        process.kill(-Number(readFileSync(join(stateDir, id, `${role}.pid`), 'utf8')), 'SIGKILL');
      } catch {
        // gone, or not a container folder
      }
    }
  }
}
