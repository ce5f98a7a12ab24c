// Samples the resident memory of the stack process and of its agent containers from /proc,
// once a second: the stack's /metrics carries no process memory, and the agents run as
// separate processes.
import { readFile } from 'node:fs/promises';

export interface MemorySample {
  /** ms since the sampler started. */
  readonly t: number;
  /** The stack process (gateway + pool manager), MiB. */
  readonly stackMiB: number;
  /** All container processes together, MiB. */
  readonly containersMiB: number;
  readonly containerProcesses: number;
}

export interface MemorySampler {
  readonly samples: readonly MemorySample[];
  /** Takes one sample now (also used for baselines). */
  sample(): Promise<MemorySample>;
  stop(): void;
}

export function sampleMemory(
  stackPid: number,
  containerPids: () => Promise<number[]>,
  everyMs = 1000,
): MemorySampler {
  const started = Date.now();
  const samples: MemorySample[] = [];
  const sample = async () => {
    const pids = await containerPids();
    const sizes = await Promise.all(pids.map(rssMiB));
    const s: MemorySample = {
      t: Date.now() - started,
      stackMiB: await rssMiB(stackPid),
      containersMiB: round(sizes.reduce((a, b) => a + b, 0)),
      containerProcesses: sizes.filter((v) => v > 0).length,
    };
    samples.push(s);
    return s;
  };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void sample().finally(() => (busy = false));
  }, everyMs);
  return { samples, sample, stop: () => clearInterval(timer) };
}

/** VmRSS of a process in MiB; 0 when it is gone. */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kb ? round(Number(kb) / 1024) : 0;
}

/** Least-squares slope of the stack's memory, MiB per minute, over samples after `fromMs`. */
export function growthMiBPerMin(samples: readonly MemorySample[], fromMs: number): number {
  const points = samples.filter((s) => s.t >= fromMs);
  if (points.length < 3) return 0;
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.stackMiB, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mx) * (p.stackMiB - my);
    den += (p.t - mx) ** 2;
  }
  return den === 0 ? 0 : round((num / den) * 60_000);
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
