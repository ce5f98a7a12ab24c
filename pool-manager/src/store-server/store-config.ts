// The repo store server's configuration, read from WARMGATE_STORE_* here and nowhere else.
import { resolve } from 'node:path';
import { parsePort, Settings } from '@warmgate/config';
import { parseSize } from './receive-policy.js';

export interface StoreConfig {
  readonly host: string;
  readonly port: number;
  /** The directory of bare repositories (same layout as the embedded store). */
  readonly dir: string;
  /** Shared with the pool manager, which mints the per-bind credentials. */
  readonly secret: string;
  /** Size quota per repository, bytes. */
  readonly quotaBytes: number;
}

const defaults = {
  WARMGATE_STORE_HOST: '127.0.0.1',
  WARMGATE_STORE_PORT: '8081',
  WARMGATE_STORE_DIR: '.warmgate/store',
  WARMGATE_STORE_QUOTA: '256MiB',
} as const;

export function loadStoreConfig(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const problems: string[] = [];
  const settings = new Settings(env, 'repo store', problems);
  const read = (name: keyof typeof defaults): string => settings.string(name, defaults[name]);
  const port = settings.parse('WARMGATE_STORE_PORT', read('WARMGATE_STORE_PORT'), parsePort, 0);
  const secret = env.WARMGATE_STORE_SECRET ?? '';
  if (secret.length < 32) {
    problems.push('WARMGATE_STORE_SECRET: must be set to a secret of at least 32 characters');
  }
  let quotaBytes = 0;
  try {
    quotaBytes = parseSize(read('WARMGATE_STORE_QUOTA'));
  } catch (error) {
    problems.push(`WARMGATE_STORE_QUOTA: ${(error as Error).message}`);
  }
  settings.finish();
  return {
    host: read('WARMGATE_STORE_HOST'),
    port,
    dir: resolve(read('WARMGATE_STORE_DIR')),
    secret,
    quotaBytes,
  };
}
