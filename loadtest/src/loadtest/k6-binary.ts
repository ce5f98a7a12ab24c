// Finds k6, building it once from the Go module proxy through tools/go-tools.sh (cached under
// ~/.cache/warmgate/bin, locked, never rebuilt). WARMGATE_K6 points at another k6 binary.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The version to fall back to when the script's default cannot be built: k6 v2 cannot be
 * `go install`ed from the proxy (no version list for go.k6.io/k6/v2, so Go's deprecation
 * check goes to go.k6.io, unreachable here) until tools/go-tools.sh builds it from a
 * throw-away module. v1.8.1 builds either way and has every module the scripts use
 * (k6/websockets, k6/net/grpc, k6/crypto, k6/timers); the scripts run on both.
 */
export const fallbackK6Version = 'v1.8.1';

/** Bounded: a first build takes a few minutes on two shared cores. */
const buildTimeoutMs = 20 * 60_000;

/** WARMGATE_K6, else K6_VERSION, else the script's default, else the fallback. */
export async function k6Binary(repoRoot: string): Promise<string> {
  const explicit = process.env.WARMGATE_K6;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`WARMGATE_K6: no file at ${explicit}`);
    return explicit;
  }
  const script = join(repoRoot, 'tools', 'go-tools.sh');
  if (!existsSync(script)) throw new Error(`k6: ${script} is missing`);
  if (process.env.K6_VERSION) return build(script, process.env.K6_VERSION);
  try {
    return await build(script, undefined);
  } catch (error) {
    console.log(`loadtest: ${(error as Error).message}; using k6 ${fallbackK6Version}`);
    return build(script, fallbackK6Version);
  }
}

async function build(script: string, version: string | undefined): Promise<string> {
  const env = { ...process.env };
  if (version) env.K6_VERSION = version;
  else delete env.K6_VERSION;
  console.log(
    `loadtest: k6 ${version ?? '(default)'} via tools/go-tools.sh (built once, then cached)`,
  );
  const stdout = await run('bash', [script, 'k6'], env, buildTimeoutMs);
  const line = stdout.split('\n').find((l) => l.startsWith('k6='));
  const path = line?.slice(3).trim();
  if (!path || !existsSync(path)) throw new Error('k6: tools/go-tools.sh printed no k6 path');
  return path;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<string>((resolve, reject) => {
    // stderr (build progress) goes straight to the operator.
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`k6: tools/go-tools.sh failed (${signal ?? `exit ${code}`})`));
    });
  });
}
