// `npm run bench -- profile`: where the warm path spends its CPU. Runs coldstart's end-to-end
// part (new users through the real gateway: 2 one at a time, then 20 at once, replenishment
// on) with every process — the stack (gateway + pool manager), each agent and sidecar — under
// `node --cpu-prof`, then summarises the profiles by role (cpu-profile.ts) into
// bench-results/profile.json. `-- profile --from=DIR` summarises profiles already in DIR.
// Profiling slows every process; read shares from this, not latencies.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { printProfiles, summariseProfiles } from './cpu-profile.js';
import { writeResult } from './harness.js';

export async function run(): Promise<void> {
  const from = process.argv.find((a) => a.startsWith('--from='))?.slice(7);
  const dir = from ?? mkdtempSync(join(tmpdir(), 'warmgate-profile-'));
  const loadStart = loadavg()[0]!;
  try {
    let e2e: unknown;
    if (!from) {
      const { endToEnd } = await import('./coldstart.js');
      e2e = await endToEnd({ singles: 2, bursts: 1, cpuProfDir: dir });
    }
    const roles = summariseProfiles(dir);
    printProfiles(roles);
    const load = { start: loadStart, end: loadavg()[0]! };
    console.log(`\nload average ${load.start.toFixed(2)} → ${load.end.toFixed(2)}`);
    writeResult('profile', {
      scenario:
        'coldstart e2e under --cpu-prof: 2 new users one at a time, then 20 at once, warm pool of 20, replenishment on',
      roles,
      ...(e2e ? { e2e } : { from }),
      load_average: load,
    });
  } finally {
    if (!from) rmSync(dir, { recursive: true, force: true });
  }
}
