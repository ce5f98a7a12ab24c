// An idle warm agent (role mcp, behind its sidecar) wakes for nothing: after start-up and the
// sidecar's start-up probe it holds no timer of any kind (no setInterval of its own, none of
// node:http's 30 s connection check, no OpenTelemetry exporter without an endpoint), so the
// process sleeps in epoll_wait until a request comes (docs/benchmarks.md, footprint: idle CPU
// of 20 warm containers). Checked in the process itself with async_hooks
// (fixtures/live-timers.mjs), not by timing.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '@warmgate/testkit';
import { startContainer, type Container } from './support/container.js';

const HOOK = fileURLToPath(new URL('./fixtures/live-timers.mjs', import.meta.url));

interface LiveTimer {
  type: 'Timeout' | 'Immediate';
  ms: number | null;
  repeats: boolean;
}

let container: Container | undefined;
let dir: string | undefined;
afterEach(async () => {
  await container?.stop();
  if (dir) removeDir(dir);
  container = undefined;
  dir = undefined;
});

async function liveTimers(pid: number, into: string): Promise<LiveTimer[]> {
  const file = join(into, `${pid}.json`);
  await rm(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100; i++) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text) return JSON.parse(text) as LiveTimer[];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no timer report from ${pid}`);
}

/**
 * node:http's keep-alive close of the sidecar's probe connection, once: the agent's
 * keepAliveTimeout (65 s, http-util.ts) plus node:http's 1 s buffer.
 */
const KEEP_ALIVE_MS = 66_000;
/** A timer this far off never fires in a warm container's life (http-util.ts: quietWhileIdle). */
const NEVER_MS = 2 ** 31 - 1;

/** What would wake the process by itself: every timer and immediate but those two. */
const wakers = (timers: LiveTimer[]) =>
  timers.filter(
    (timer) => timer.ms !== NEVER_MS && !(timer.ms === KEEP_ALIVE_MS && !timer.repeats),
  );

it('an idle warm agent holds no timer once started (nothing wakes it)', async () => {
  dir = makeTempDir('agent-idle');
  container = await startContainer({
    NODE_OPTIONS: `--import=${HOOK}`,
    WARMGATE_TEST_TIMERS_DIR: dir,
  });
  // The MCP side loads right after ready (WARMGATE_AGENT_MCP_LOAD=ready): wait until the agent
  // holds nothing that would run by itself, or keep its last report (the failure).
  let timers: LiveTimer[] = [];
  for (let i = 0; i < 40; i++) {
    timers = await liveTimers(container.agent.pid, dir);
    // A repeating timer never goes away by waiting: fail at once.
    if (wakers(timers).length === 0 || wakers(timers).some((timer) => timer.repeats)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(wakers(timers)).toEqual([]);
});
