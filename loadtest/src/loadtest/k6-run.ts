// Runs one k6 script: usage reports off, summary exported to JSON, output streamed to the
// operator, bounded in time (SIGINT at the limit so k6 still writes its summary, then SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface K6RunOptions {
  readonly k6: string;
  readonly script: string;
  readonly summaryFile: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export interface K6Outcome {
  /** k6's exit code: 0 passed, 99 thresholds crossed, anything else an error. */
  readonly exitCode: number;
  readonly thresholdsPassed: boolean;
  /** The --summary-export JSON (undefined when k6 wrote none). */
  readonly summary?: K6Summary;
}

export interface K6Summary {
  readonly metrics: Record<string, K6Metric>;
}

export type K6Metric = Record<string, number | Record<string, boolean> | undefined> & {
  thresholds?: Record<string, boolean>;
};

/** The k6 child in flight, so Ctrl-C can stop it. */
let current: ChildProcess | undefined;

export function stopCurrentK6(): void {
  current?.kill('SIGINT');
}

export async function runK6(options: K6RunOptions): Promise<K6Outcome> {
  const child = spawn(
    options.k6,
    ['run', '--summary-export', options.summaryFile, '--no-color', options.script],
    {
      env: { ...process.env, ...options.env, K6_NO_USAGE_REPORT: 'true' },
      stdio: ['ignore', 'inherit', 'inherit'],
      // Own process group: Ctrl-C reaches k6 once, from the runner (a second SIGINT would
      // make k6 abort without writing its summary).
      detached: true,
    },
  );
  current = child;
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  const soft = setTimeout(() => child.kill('SIGINT'), options.timeoutMs);
  const hard = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs + 30_000);
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  }).finally(() => {
    clearTimeout(soft);
    clearTimeout(hard);
    current = undefined;
    process.off('exit', onExit);
  });
  const summary = await readFile(options.summaryFile, 'utf8').then(
    (text) => JSON.parse(text) as K6Summary,
    () => undefined,
  );
  return { exitCode, thresholdsPassed: exitCode === 0, summary };
}
