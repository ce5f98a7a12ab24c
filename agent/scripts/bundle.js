// Bundles the agent's entry point (dist/main.js, every role) with its dependencies into
// dist/bundle/main.js plus one chunk per lazily imported part (esbuild, minified, code split
// at each dynamic import, so a role still loads only its own code). One file instead of ~900
// modules: a warm sidecar is about 5 MiB smaller and starts in half the CPU time (resolving,
// reading and compiling the modules one by one was most of its start); see the footprint
// section of docs/benchmarks.md. Run by the root `npm run build` after `tsc -b`, and by
// `npm run bench`. Use it with WARMGATE_POOL_AGENT_ENTRY=agent/dist/bundle/main.js (or
// `node agent/dist/bundle/main.js <role>`). The local runtime starts it by default while it
// is newer than everything it was built from (inputs.json), else agent/dist/main.js.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = `${root}dist/bundle`;
rmSync(out, { recursive: true, force: true });

const result = await build({
  entryPoints: [`${root}dist/main.js`],
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  splitting: true,
  minify: true,
  outdir: out,
  chunkNames: 'chunks/[name]-[hash]',
  // The OpenTelemetry SDK and exporters (loaded only with an OTLP endpoint) stay in
  // node_modules: bundled, their CommonJS exports came out undefined. @opentelemetry/api is
  // bundled; the SDK's own copy finds the same global registration (its documented contract).
  external: ['@opentelemetry/sdk-*', '@opentelemetry/exporter-*', '@opentelemetry/resources'],
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
  // The CommonJS packages inside (grpc-js, ajv) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __warmgateRequire } from 'node:module'; const require = __warmgateRequire(import.meta.url);",
  },
});

// What the bundle was built from, so a runtime can tell a stale bundle (agent/dist rebuilt by
// `npx tsc -b` since) and fall back to agent/dist/main.js (pool-manager agent-entry.ts).
const builtAtMs = Date.now();
writeFileSync(
  `${out}/inputs.json`,
  JSON.stringify({
    builtAtMs,
    // Relative to the bundle's folder: the check holds wherever the tree is copied.
    inputs: Object.keys(result.metafile.inputs).map((input) => relative(out, resolve(input))),
  }),
);

const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(
  `agent bundle: dist/bundle/main.js + ${Object.keys(result.metafile.outputs).length - 1} files, ${(bytes / 1024).toFixed(0)} KiB`,
);
