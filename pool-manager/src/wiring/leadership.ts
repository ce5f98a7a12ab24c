// Who runs the pool core. Without a leader lease this process always does. With one, only the
// holder does: a new core per term (a closed core cannot restart), started when the lease is
// won and closed — containers left as they are, for the next leader to adopt — when it is
// lost. A standby runs no core at all, so it never creates, claims or reaps.
import type { LeaderElector } from '../leader/index.js';
import type { PoolCore } from '../pool/pool-core.js';

export interface Leadership {
  /** The running core while this process leads (and its core has started), else undefined. */
  core(): PoolCore | undefined;
  /** Shuts the current core down (drains, bounded by `graceMs`), then gives up the lease. */
  close(graceMs: number): Promise<void>;
}

export async function soleLeadership(core: PoolCore): Promise<Leadership> {
  await core.start();
  return { core: () => core, close: (graceMs) => core.shutdown(graceMs) };
}

export interface ElectedOptions {
  readonly makeCore: () => PoolCore;
  /** Builds the elector around the two callbacks (the caller chooses store and timings). */
  readonly makeElector: (callbacks: {
    onStartedLeading: (signal: AbortSignal) => void;
    onStoppedLeading: () => void;
  }) => LeaderElector;
  readonly onChange: (leading: boolean) => void;
  readonly log: (message: string) => void;
}

export function electedLeadership(options: ElectedOptions): Leadership {
  const { log } = options;
  let current: PoolCore | undefined;
  let term: Promise<void> = Promise.resolve();

  const lead = (signal: AbortSignal): void => {
    term = term.then(async () => {
      if (signal.aborted) return;
      const core = options.makeCore();
      try {
        await core.start();
      } catch (error) {
        core.close();
        log(`became leader but the pool core did not start: ${(error as Error).message}`);
        void elector.stop(); // let a healthier candidate lead
        return;
      }
      if (signal.aborted) return core.close();
      current = core;
      log('leader: running the pool core');
      options.onChange(true);
    });
  };
  const standDown = (): void => {
    const core = current;
    current = undefined;
    if (core === undefined) return;
    core.close();
    log('lost the lease: standing by (containers left for the next leader to adopt)');
    options.onChange(false);
  };
  const elector = options.makeElector({ onStartedLeading: lead, onStoppedLeading: standDown });
  elector.start();

  return {
    core: () => current,
    async close(graceMs) {
      await term;
      const core = current;
      current = undefined;
      if (core !== undefined) {
        options.onChange(false);
        // Still holding (and renewing) the lease while draining: nobody else acts meanwhile.
        await core.shutdown(graceMs);
      }
      await elector.stop();
    },
  };
}
