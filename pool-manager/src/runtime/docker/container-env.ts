// The environment of a Docker container's processes: the local runtime's allow-list
// (../local/container-env.ts: OTEL_* without headers, locale, agent settings that are not
// secrets) minus what names a path or an account on the pool manager's host, which means
// nothing inside the image. Secrets arrive as read-only file mounts, never here.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { JWE_KEY_ENV, JWE_KEY_FILE_ENV, allowedEnv } from '../local/container-env.js';

/** Allowed locally but host-specific: the image has its own. */
const HOST_ONLY = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'TMPDIR',
  'NODE_EXTRA_CA_CERTS',
  JWE_KEY_FILE_ENV,
  'WARMGATE_DIRECT_ISSUER_KEYS_FILE',
]);

export function containerEnv(parentEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(allowedEnv(parentEnv))) {
    if (value !== undefined && !HOST_ONLY.has(name)) env[name] = value;
  }
  // The issuer keys are public: a file on the host becomes the value inside the container.
  const issuerFile = parentEnv.WARMGATE_DIRECT_ISSUER_KEYS_FILE;
  if (issuerFile && !env.WARMGATE_DIRECT_ISSUER_KEYS) {
    env.WARMGATE_DIRECT_ISSUER_KEYS = readFileSync(issuerFile, 'utf8').trim();
  }
  return env;
}

/** The direct-mode decryption key, given to the pool manager by value or by file. */
export async function jweKeyOf(parentEnv: NodeJS.ProcessEnv): Promise<string | undefined> {
  const value = parentEnv[JWE_KEY_ENV];
  if (value) return value;
  const file = parentEnv[JWE_KEY_FILE_ENV];
  return file ? await readFile(file, 'utf8') : undefined;
}
