import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { defaultAgentEntry } from './agent-entry.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

/** agent/dist/{main.js,lib.js} and a bundle built from both at `builtAtS` (seconds). */
function tree(builtAtS: number | undefined) {
  root = mkdtempSync(join(tmpdir(), 'agent-entry-'));
  const dist = join(root, 'agent', 'dist');
  mkdirSync(join(dist, 'bundle'), { recursive: true });
  for (const file of ['main.js', 'lib.js']) {
    writeFileSync(join(dist, file), '');
    utimesSync(join(dist, file), 1000, 1000);
  }
  if (builtAtS !== undefined) {
    writeFileSync(join(dist, 'bundle', 'main.js'), '');
    writeFileSync(
      join(dist, 'bundle', 'inputs.json'),
      JSON.stringify({ builtAtMs: builtAtS * 1000, inputs: ['../main.js', '../lib.js'] }),
    );
  }
  return dist;
}

it('starts the bundle while it is newer than every input', () => {
  const dist = tree(2000);
  expect(defaultAgentEntry(join(dist, 'main.js'))).toBe(join(dist, 'bundle', 'main.js'));
});

it('falls back to agent/dist/main.js when an input was rebuilt since (npx tsc -b)', () => {
  const dist = tree(2000);
  utimesSync(join(dist, 'lib.js'), 3000, 3000);
  expect(defaultAgentEntry(join(dist, 'main.js'))).toBe(join(dist, 'main.js'));
});

it('falls back without a bundle, or with an input gone', () => {
  expect(defaultAgentEntry(join(tree(undefined), 'main.js'))).toMatch(/dist\/main\.js$/);
  rmSync(root!, { recursive: true, force: true });
  const dist = tree(2000);
  rmSync(join(dist, 'lib.js'));
  expect(defaultAgentEntry(join(dist, 'main.js'))).toBe(join(dist, 'main.js'));
});
