// `npm start`'s stack (pool manager with real agent processes, gateway) in a child process,
// for the benchmarks that go through the real gateway (gateway, coldstart's e2e):
// @warmgate/testkit's startStack with a fresh Pool deployment secret.
import { randomBytes } from 'node:crypto';
import { startStack as startTestkitStack } from '@warmgate/testkit';

export interface Stack {
  /** host:port of the gateway's gRPC server. */
  readonly grpc: string;
  /** host:port of the gateway's HTTP / WebSocket server. */
  readonly http: string;
  /** host:port of the pool manager. */
  readonly pool: string;
  /** The stack's Pool deployment secret, so a bench may call the Pool API as the gateway does. */
  readonly poolSecret: string;
  /** The stack process (pool manager + gateway). */
  readonly pid: number;
  /** The local runtime's container folders (`<id>/{agent,sidecar}.pid`). */
  readonly stateDir: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** WARMGATE_POOL_PROFILES. */
  readonly profiles: string;
  readonly hs256Secret: string;
  /**
   * Extra environment for the stack (e.g. NODE_OPTIONS). Its containers get only the pool
   * manager's allow-list: Node flags for them go in WARMGATE_POOL_AGENT_EXTRA_NODE_ARGS.
   */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const poolSecret = randomBytes(32).toString('base64url');
  const stack = await startTestkitStack({
    env: {
      WARMGATE_POOL_PROFILES: options.profiles,
      WARMGATE_POOL_ADAPTIVE: 'false',
      WARMGATE_AUTH_HS256_SECRET: options.hs256Secret,
      WARMGATE_POOL_SECRET: poolSecret,
      ...options.env,
    },
    readyTimeoutMs: 120_000,
    stopGraceMs: 60_000,
  });
  return {
    grpc: stack.grpcAddress,
    http: stack.httpAddress,
    pool: stack.poolAddress,
    poolSecret,
    pid: stack.process.pid,
    stateDir: stack.stateDir,
    async stop() {
      await stack.stop();
    },
  };
}
