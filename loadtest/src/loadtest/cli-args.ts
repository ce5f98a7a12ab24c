// `npm run loadtest -- <scenario> [options]`: the command line, parsed and validated once.
import { parseLoopbackAddress } from './target.js';

export interface LoadtestArgs {
  readonly scenario: string;
  /** An already running gateway (HTTP/WS); unset = start the stack. */
  readonly target?: string;
  /** Its gRPC address; defaults to the target's host on 50051. */
  readonly grpcTarget?: string;
  /** Overrides the scenario's length (k6 duration syntax, e.g. 90s, 10m). */
  readonly duration?: string;
  /** Overrides the scenario's user/VU count. */
  readonly users?: number;
  /** Shared HS256 secret of a --target stack; without it, a --target run uses public sessions. */
  readonly secret?: string;
}

export const usage = `usage: npm run loadtest -- <scenario> [options]

scenarios: ws-chat, grpc-terminal, connect-storm, soak, ws-scale, all (= the report set)
options:
  --target host:port       run against this gateway (loopback only) instead of starting the stack
  --grpc-target host:port  its gRPC address (default: the target's host, port 50051)
  --secret <s>             the HS256 secret that gateway verifies JWTs with (else public sessions)
  --duration <d>           length of the steady part (e.g. 90s, 10m)
  --users <n>              users (VUs) for ws-chat, soak, connect-storm`;

export function parseArgs(argv: readonly string[]): LoadtestArgs {
  const [scenario, ...rest] = argv;
  if (!scenario || scenario.startsWith('-')) throw new Error(usage);
  const out: {
    -readonly [K in keyof LoadtestArgs]: LoadtestArgs[K];
  } = { scenario };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    const value = rest[i + 1];
    if (value === undefined) throw new Error(`${flag}: missing value\n\n${usage}`);
    i++;
    switch (flag) {
      case '--target':
        out.target = parseLoopbackAddress(flag, value);
        break;
      case '--grpc-target':
        out.grpcTarget = parseLoopbackAddress(flag, value);
        break;
      case '--duration':
        if (!/^\d+(s|m|h)$/.test(value)) throw new Error(`--duration: expected e.g. 90s or 10m`);
        out.duration = value;
        break;
      case '--users': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error('--users: 1 to 1000');
        out.users = n;
        break;
      }
      case '--secret':
        out.secret = value;
        break;
      default:
        throw new Error(`unknown option ${flag}\n\n${usage}`);
    }
  }
  if (out.grpcTarget && !out.target) throw new Error('--grpc-target needs --target');
  return out;
}
