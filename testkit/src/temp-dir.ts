import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder under the system temp dir, named `warmgate-<what>-XXXXXX`. */
export function makeTempDir(what: string): string {
  return mkdtempSync(join(tmpdir(), `warmgate-${what}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
