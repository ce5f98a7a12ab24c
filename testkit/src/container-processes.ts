// The local runtime's container processes (agent, sidecar, their git children): each agent and
// sidecar leads its own process group, and every one of them carries its workspace folder in
// WARMGATE_WORKSPACE_DIR. A /proc scan finds them, so "nothing orphaned" is checked, not
// assumed, and whatever a crashed or SIGKILLed pool manager left is killed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Live processes whose WARMGATE_WORKSPACE_DIR lies under `dir` (zombies left out). */
export function containerPids(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.split(') ')[1]?.startsWith('Z')) continue; // exited, awaiting its parent
      if (environ.includes(`WARMGATE_WORKSPACE_DIR=${dir}`)) pids.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

/** SIGKILLs the process group led by `pid`, or the process alone when it leads none. */
export function killProcessGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** SIGKILLs every container process (and its group) under `dir`; returns how many were found. */
export function killContainers(dir: string): number {
  const pids = containerPids(dir);
  for (const pid of pids) killProcessGroup(pid);
  return pids.length;
}

/**
 * The agent and sidecar processes (no children) of the containers under `stateDir`, from the
 * `<id>/{agent,sidecar}.pid` files the local runtime writes: alive, and started for this state
 * dir (a pid file can outlive its process; pids get reused).
 */
export function containerLeaderPids(stateDir: string): number[] {
  let ids: string[];
  try {
    ids = readdirSync(stateDir);
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const id of ids) {
    for (const role of ['agent', 'sidecar']) {
      try {
        const pid = Number(readFileSync(join(stateDir, id, `${role}.pid`), 'utf8').trim());
        if (!Number.isInteger(pid) || pid <= 1) continue;
        if (readFileSync(`/proc/${pid}/environ`, 'utf8').includes(stateDir)) pids.push(pid);
      } catch {
        // not a container folder, or gone
      }
    }
  }
  return pids;
}
