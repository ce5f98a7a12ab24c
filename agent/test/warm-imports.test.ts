// What a warm sidecar loads before it is bound (docs/benchmarks.md, footprint): its start-up
// modules, with the data plane, must not pull in the libraries only a bound container or the
// agent uses — zod (the workspace schemas), jose (credential checks, loaded on the first one),
// the MCP SDK (the agent's) — each costs resident memory in every warm container.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { MAIN } from './support/container.js';

const run = promisify(execFile);

/** Every module URL a fresh Node process resolves while importing `files` (no code run). */
async function modulesLoadedBy(files: string[]): Promise<string[]> {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = [];
    registerHooks({ resolve(specifier, context, next) {
      const result = next(specifier, context);
      seen.push(result.url);
      return result;
    } });
    for (const file of ${JSON.stringify(files.map((file) => pathToFileURL(file).href))}) {
      await import(file);
    }
    process.stdout.write(JSON.stringify(seen));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    timeout: 30_000,
  });
  return JSON.parse(stdout) as string[];
}

it('a warm sidecar (with the data plane) loads no zod, jose or MCP SDK', async () => {
  const dist = dirname(MAIN);
  const loaded = await modulesLoadedBy([
    join(dist, 'sidecar/start-sidecar.js'),
    join(dist, 'sidecar/data-plane/start-data-plane.js'),
  ]);
  // The check sees the modules: grpc-js is the sidecar's own.
  expect(loaded.some((url) => url.includes('/@grpc/grpc-js/'))).toBe(true);
  for (const lazy of ['/node_modules/zod/', '/node_modules/jose/', '/@modelcontextprotocol/sdk/']) {
    expect(loaded.filter((url) => url.includes(lazy))).toEqual([]);
  }
});
