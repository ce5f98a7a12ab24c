// Finds k6, building it once from the Go module proxy through tools/go-tools.sh (cached under
// ~/.cache/warmgate/bin, locked, never rebuilt). WARMGATE_K6 points at another k6 binary.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * k6 v2.2.0 (the script's default) cannot be built with `go install`: the proxy has no
 * version list for go.k6.io/k6/v2, so Go's deprecation check falls back to go.k6.io, which
 * this machine cannot reach. v1.8.1 builds and has k6/websockets and k6/net/grpc.
 * K6_VERSION in the environment overrides this.
 */
export const defaultK6Version = 'v1.8.1';

/** Bounded: a first build takes a few minutes on two shared cores. */
const buildTimeoutMs = 20 * 60_000;

export async function k6Binary(repoRoot: string): Promise<string> {
  const explicit = process.env.WARMGATE_K6;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`WARMGATE_K6: no file at ${explicit}`);
    return explicit;
  }
  const script = join(repoRoot, 'tools', 'go-tools.sh');
  if (!existsSync(script)) throw new Error(`k6: ${script} is missing`);
  const env = { ...process.env, K6_VERSION: process.env.K6_VERSION ?? defaultK6Version };
  console.log(`loadtest: k6 ${env.K6_VERSION} via tools/go-tools.sh (built once, then cached)`);
  const stdout = await run('bash', [script, 'k6'], env, buildTimeoutMs);
  const line = stdout.split('\n').find((l) => l.startsWith('k6='));
  const path = line?.slice(3).trim();
  if (!path || !existsSync(path)) throw new Error(`k6: tools/go-tools.sh printed no k6 path`);
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
