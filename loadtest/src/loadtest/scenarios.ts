// The load scenarios: which k6 script, with which stack configuration, how many runs, and
// what the runner watches while k6 runs. Defaults are short (≈1 min each) so a report run
// can include them; --duration / --users make longer or bigger variants.
import type { LoadtestArgs } from './cli-args.js';
import type { MemorySampler } from './memory-sampler.js';
import { openConnections, scrape, warmContainers } from './stack-metrics.js';
import type { Target } from './target.js';

export interface RunContext {
  readonly target: Target;
  /** Undefined against a --target stack (its processes are not ours to sample). */
  readonly memory?: MemorySampler;
}

export interface ScenarioRun {
  /** Names the run inside the scenario (connect-storm: warm, empty). */
  readonly label: string;
  /** Extra WARMGATE_* settings for the stack this run starts. */
  readonly stackEnv: Readonly<Record<string, string>>;
  readonly k6Env: Readonly<Record<string, string>>;
  /** Before k6 starts (e.g. wait for the warm pool to fill). */
  prepare?(context: RunContext): Promise<void>;
  /** While k6 runs; whatever it returns lands in the run's result as `observed`. */
  observe?(context: RunContext): Promise<Record<string, number>>;
}

export interface Scenario {
  readonly name: string;
  readonly script: string;
  readonly about: string;
  runs(args: LoadtestArgs): ScenarioRun[];
  /** Upper bound for one k6 run. */
  timeoutMs(args: LoadtestArgs): number;
}

const minutes = (m: number) => m * 60_000;

/** k6 duration ("90s", "10m", "1h") in ms. */
export function durationMs(value: string): number {
  const match = /^(\d+)(s|m|h)$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
}

const users = (args: LoadtestArgs, name: string): Record<string, string> =>
  args.users ? { [name]: String(args.users) } : {};

export const scenarios: Record<string, Scenario> = {
  'ws-chat': {
    name: 'ws-chat',
    script: 'ws-chat.js',
    about: 'web-chat users on /ws: connect, authenticate, chat with tool calls, idle, reconnect',
    runs: (args) => [
      {
        label: 'default',
        stackEnv: {},
        k6Env: {
          ...users(args, 'WS_CHAT_USERS'),
          ...(args.duration ? { WS_CHAT_HOLD: args.duration } : {}),
        },
      },
    ],
    timeoutMs: (args) => durationMs(args.duration ?? '30s') + minutes(2),
  },
  'grpc-terminal': {
    name: 'grpc-terminal',
    script: 'grpc-terminal.js',
    about: 'trading terminals on gRPC: CallTool / ReadResource / Chat at a steady rate',
    runs: (args) => [
      {
        label: 'default',
        stackEnv: {},
        k6Env: {
          ...users(args, 'GRPC_TERMINALS'),
          ...(args.duration ? { GRPC_DURATION: args.duration } : {}),
        },
      },
    ],
    timeoutMs: (args) => durationMs(args.duration ?? '40s') + minutes(2),
  },
  'connect-storm': {
    name: 'connect-storm',
    script: 'connect-storm.js',
    about: 'a burst of new users at once: connect → first tool result, warm pool vs empty pool',
    runs: (args) => {
      const burst = args.users ?? 8;
      const fixed = (min: number) => ({
        WARMGATE_POOL_PROFILES: `standard:min=${min}:max=${burst * 2 + 4}`,
        WARMGATE_POOL_ADAPTIVE: 'false',
      });
      const k6Env = (pool: string) => ({ STORM_USERS: String(burst), STORM_POOL: pool });
      return [
        {
          label: 'warm',
          stackEnv: fixed(burst),
          k6Env: k6Env('warm'),
          prepare: ({ target }) => waitForWarm(target, burst, minutes(2)),
        },
        { label: 'empty', stackEnv: fixed(0), k6Env: k6Env('empty') },
      ];
    },
    timeoutMs: () => minutes(3),
  },
  soak: {
    name: 'soak',
    script: 'soak.js',
    about: 'a steady WS + gRPC mix for a bounded time, watching memory growth and errors',
    runs: (args) => [
      {
        label: 'default',
        stackEnv: {},
        k6Env: {
          SOAK_DURATION: args.duration ?? '3m',
          ...users(args, 'SOAK_WS_USERS'),
        },
      },
    ],
    timeoutMs: (args) => durationMs(args.duration ?? '3m') + minutes(2),
  },
  'ws-scale': {
    name: 'ws-scale',
    script: 'ws-scale.js',
    about: 'memory per idle connection, then tool-call throughput at 1/4/16/32 connections',
    runs: (args) => {
      const idle = args.users ?? 50;
      const idleS = 15;
      return [
        {
          label: 'default',
          stackEnv: {},
          k6Env: {
            IDLE_CONNS: String(idle),
            IDLE_S: String(idleS),
            SCALE_LEVELS: '1,4,16,32',
            SCALE_STEP_S: '10',
          },
          // Once every idle socket is open (the gateway's own gauge says so) and quiet, weigh.
          observe: async ({ target, memory }) => {
            const open = await waitForConnections(target, idle, (idleS + 30) * 1000);
            await new Promise((resolve) => setTimeout(resolve, 2000));
            const sample = await memory?.sample();
            const still = openConnections(await scrape(target));
            return {
              idle_connections: Math.min(open, still),
              idle_stack_mib: sample?.stackMiB ?? 0,
            };
          },
        },
      ];
    },
    timeoutMs: () => minutes(4),
  },
};

/** What `npm run loadtest -- all` (and the report) runs; soak is long, so only on request. */
export const reportSet = ['ws-chat', 'grpc-terminal', 'connect-storm', 'ws-scale'];

/** Polls the gateway's connection gauge until `want` are open; returns the last count. */
async function waitForConnections(target: Target, want: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let open = 0;
  while (Date.now() < deadline) {
    open = openConnections(await scrape(target));
    if (open >= want) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return open;
}

async function waitForWarm(target: Target, want: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let warm = 0;
  while (Date.now() < deadline) {
    warm = warmContainers(await scrape(target));
    if (warm >= want) {
      console.log(`loadtest: warm pool ready (${warm} warm containers)`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the warm pool reached ${warm} of ${want} containers in ${timeoutMs} ms`);
}
