// The claim history on one machine: a small JSON file in WARMGATE_POOL_STATE_DIR, replaced
// atomically (write a temporary file beside it, then rename), so a crash mid-save leaves
// the previous history, never half a file.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistorySnapshot, HistoryStore } from '../pool/history-port.js';

export const historyFileName = 'claim-history.json';

export function createFileHistoryStore(stateDir: string): HistoryStore & { readonly path: string } {
  const path = join(stateDir, historyFileName);
  let saves = 0;
  return {
    path,
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new Error(`${path} is not valid JSON`);
      }
    },
    async save(snapshot: HistorySnapshot) {
      // No mkdir: the runtime owns the state directory; a save after it was removed fails.
      const temporary = `${path}.${process.pid}.${++saves}.tmp`;
      try {
        await writeFile(temporary, JSON.stringify(snapshot));
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
  };
}
