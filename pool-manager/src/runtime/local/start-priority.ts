// Replacements start in the background. A warm container's start-up (two Node processes
// compiling their modules, about a second of CPU each) is the largest CPU cost of the warm
// path, and it comes right after the claims that made the pool start it: at equal priority it
// takes the cores from the users just bound (docs/benchmarks.md). While a replacement starts,
// its processes run at a lower CPU weight; once it is ready (or after a bound, so a busy
// machine cannot starve the refill) they are back at normal weight, before anyone can claim it.
//
// The lever is the scheduler's autogroup (Linux with CONFIG_SCHED_AUTOGROUP, on by default in
// most distributions): every container process leads its own session (spawned detached), and
// each session is one scheduling group whose nice value (`/proc/<pid>/autogroup`) weighs the
// whole group — threads and git children included — against other sessions. A plain
// setpriority() would not: across autogroups only the group's weight counts. Raising a nice
// value needs no privilege, and neither does setting it back to 0 (only a value below 0 does).
// Without autogroups this does nothing (said once in the log).
import { readFileSync, writeFileSync } from 'node:fs';

export interface StartPriority {
  /** Lowers the CPU weight of the session `pid` leads. */
  background(pid: number): void;
  /** Back to normal weight; idempotent, and quiet when the process is gone. */
  normal(pid: number): void;
}

/** Undefined when `nice` is 0 or the kernel has no autogroups (told through `log`). */
export function createStartPriority(
  nice: number,
  log: (message: string) => void,
  proc = '/proc',
): StartPriority | undefined {
  if (nice === 0) return undefined;
  let enabled = '';
  try {
    enabled = readFileSync(`${proc}/sys/kernel/sched_autogroup_enabled`, 'utf8').trim();
  } catch {
    // no such setting: a kernel without autogroups
  }
  if (enabled !== '1') {
    log(
      'WARMGATE_POOL_REPLENISH_NICE: the kernel schedules without autogroups ' +
        '(kernel.sched_autogroup_enabled), so replacements start at normal priority',
    );
    return undefined;
  }
  const set = (pid: number, value: number) => {
    try {
      writeFileSync(`${proc}/${pid}/autogroup`, String(value));
    } catch {
      // the process is gone (a failed start); nothing to weigh
    }
  };
  return { background: (pid) => set(pid, nice), normal: (pid) => set(pid, 0) };
}
