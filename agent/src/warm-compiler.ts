// A warm sidecar runs only one-off code until it is bound: module loading, decoding the
// protobuf descriptors, the template repository and the warm-up restore. V8's optimizing
// compiler (TurboFan) still picks the few functions that get hot while that runs, and its
// first use pages about 6 MiB of the node binary's compiler code into the process, resident
// for as long as the warm container waits (docs/benchmarks.md, footprint). So a sidecar
// (`sidecar`, `container`) starts with TurboFan off and turns it on when it is bound, before
// the data plane's hot path runs. Imported first by main.ts, so that it runs before any other
// module is evaluated. Node flags that choose the compiler themselves (`--turbofan`,
// `--no-turbofan`, `--max-opt`, `--jitless`, `--lite-mode`, in the node arguments or
// NODE_OPTIONS) are left alone.
import { setFlagsFromString } from 'node:v8';

const CHOSEN = /--(no-)?turbofan\b|--max-opt\b|--jitless\b|--lite-mode\b/;

const deferred =
  ['sidecar', 'container'].includes(process.argv[2] ?? '') &&
  !CHOSEN.test([...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' '));
if (deferred) setFlagsFromString('--no-turbofan');

let enabled = !deferred;

/** Turns the optimizing compiler on for good (at the first Bind); idempotent. */
export function enableOptimizingCompiler(): void {
  if (enabled) return;
  enabled = true;
  setFlagsFromString('--turbofan');
}

/** Whether this process runs with TurboFan now (for the tests). */
export function optimizingCompilerEnabled(): boolean {
  return enabled;
}
