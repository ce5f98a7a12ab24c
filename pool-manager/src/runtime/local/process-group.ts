import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Each agent process leads its own process group (spawned detached), so signalling the group
 * also reaches whatever it started (git), and nothing is orphaned.
 */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM to the group, SIGKILL after `graceMs` if anything is left; resolves when all are gone. */
export async function stopGroup(pid: number, graceMs: number): Promise<void> {
  if (!groupAlive(pid)) return;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(20);
  if (!groupAlive(pid)) return;
  signalGroup(pid, 'SIGKILL');
  for (let i = 0; i < 100 && groupAlive(pid); i++) await sleep(20);
}

/**
 * The process groups whose processes work in `workspace` (their WARMGATE_WORKSPACE_DIR), read
 * from /proc (none where there is no /proc). A container process spawned just before a kill -9
 * of the pool manager has no pid file yet; this is how its container's destroy still finds it.
 */
export async function groupsWorkingIn(workspace: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const wanted = `WARMGATE_WORKSPACE_DIR=${workspace}`;
  const groups = new Set<number>();
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
      .map(async (entry) => {
        try {
          const environ = await readFile(`/proc/${entry}/environ`, 'utf8');
          if (!environ.split('\0').includes(wanted)) return;
          const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
          // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses.
          const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
          if (Number.isInteger(pgrp) && pgrp > 1) groups.add(pgrp);
        } catch {
          // gone meanwhile, or not ours to read
        }
      }),
  );
  return [...groups];
}
