// WARMGATE_SIDECAR_TURBOFAN=bind: a warm sidecar without V8's optimizing compiler until its
// first Bind. Until then a sidecar runs only one-off code (module loading, decoding the
// protobuf descriptors, the template repository, the warm-up restore), yet TurboFan still
// picks the few functions that get hot in it, and its first use pages about 6 MiB of the node
// binary's compiler code into the process (docs/benchmarks.md, footprint). Those pages are
// file-backed and shared with every other Node process (the agents use TurboFan anyway), so
// they count in each sidecar's RSS but barely in its PSS; and the bind path, warmed up without
// TurboFan, runs slower at the first Bind (about +6 ms). Hence the default `ready` (TurboFan
// from the start); `bind` is for an operator who counts RSS. Imported first by main.ts, which
// imports everything else after it: Node resolves a module's static import graph before it
// runs any of it, and that alone gets path functions hot enough for TurboFan. Node flags that
// choose the compiler themselves (`--turbofan`, `--no-turbofan`, `--max-opt`, `--jitless`,
// `--lite-mode`, in the node arguments or NODE_OPTIONS) win. config.ts validates the setting.
import { setFlagsFromString } from 'node:v8';

const CHOSEN = /--(no-)?turbofan\b|--max-opt\b|--jitless\b|--lite-mode\b/;

const deferred =
  process.env.WARMGATE_SIDECAR_TURBOFAN === 'bind' &&
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
