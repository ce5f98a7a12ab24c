// `npm run loadtest -- <scenario> [--target host:port] ...`: runs k6 scenarios against a
// stack it starts on loopback (or a given loopback address), prints k6's summary, writes
// bench-results/loadtest-<scenario>.json, and stops everything it started — also on Ctrl-C.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, usage } from './cli-args.js';
import { k6Binary } from './k6-binary.js';
import { stopCurrentK6 } from './k6-run.js';
import { live, runScenario } from './run-scenario.js';
import { reportSet, scenarios } from './scenarios.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Runs the named scenarios; exit code 0 only when every threshold passed. */
export async function runLoadtests(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const names = args.scenario === 'all' ? reportSet : [args.scenario];
  const unknown = names.filter((n) => !scenarios[n]);
  if (unknown.length > 0) {
    console.error(`unknown scenario ${unknown.join(', ')}\n\n${usage}`);
    return 2;
  }
  let aborted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (aborted) return;
    aborted = true;
    console.error(`\nloadtest: ${signal}: stopping k6 and the stack…`);
    stopCurrentK6();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const k6 = await k6Binary(repoRoot);
    const failed: string[] = [];
    for (const name of names) {
      if (aborted) break;
      const ok = await runScenario(scenarios[name]!, args, {
        repoRoot,
        k6,
        aborted: () => aborted,
      });
      if (!ok) failed.push(name);
    }
    if (aborted) return 130;
    if (failed.length > 0) console.error(`\nloadtest: thresholds failed in ${failed.join(', ')}`);
    return failed.length === 0 ? 0 : 1;
  } catch (error) {
    console.error(`loadtest: ${(error as Error).message}`);
    return aborted ? 130 : 1;
  } finally {
    await live.stack?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// Run directly (not when imported by the bench entry).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await runLoadtests(process.argv.slice(2));
}
