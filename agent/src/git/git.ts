// The one way this package runs git: the CLI through execFile (no shell), with a bounded
// output buffer, automatic gc off (a gc in the middle of a tool call would stall it) and
// the user's hooks/templates never consulted.
import { execFile } from 'node:child_process';
import { errors } from '@warmgate/proto';

export interface GitOptions {
  cwd?: string;
  /** Extra environment, e.g. author identity or a per-bind credential (never on disk). */
  env?: NodeJS.ProcessEnv;
  /** Input for the process's stdin. */
  input?: string;
}

export interface GitResult {
  stdout: string;
  stderr: string;
}

const BASE_ENV: NodeJS.ProcessEnv = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTO_GC: '0',
  LC_ALL: 'C',
};

/** Runs `git <args>`; a non-zero exit becomes an INTERNAL WarmgateError carrying stderr. */
export function git(args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['-c', 'gc.auto=0', '-c', 'core.hooksPath=/dev/null', ...args],
      {
        cwd: options.cwd,
        env: { ...process.env, ...BASE_ENV, ...options.env },
        maxBuffer: 16 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim().split('\n').slice(-3).join(' | ') || error.message;
          // The subcommand's name, past any leading `-c name=value` pairs.
          const command = args.find((arg, i) => !arg.startsWith('-') && args[i - 1] !== '-c');
          reject(errors.internal(`git ${command ?? ''} failed: ${detail}`, error));
          return;
        }
        resolve({ stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/**
 * `git push` settings: the pack a workspace pushes is stored as it arrives (one pack per push,
 * pool-manager/src/store-server/receive-policy.ts PACKING_SETTINGS), and a bind's checkout
 * inflates every object of HEAD from it. Level 0 stores the objects deflated without
 * compression: a bind then copies bytes instead of decoding them (inflating is the largest
 * cost of a checkout after creating the files; docs/benchmarks.md "Where a large bind spends
 * its time"), for more disk in the store (text is about 3× its compressed size).
 */
export const PUSH_SETTINGS: readonly string[] = ['-c', 'pack.compression=0'];

/**
 * Environment that gives git a credential for one http(s) remote without writing it to any
 * config file: `http.extraHeader` through GIT_CONFIG_COUNT. A credential containing a space
 * is a full Authorization value ("Basic ...", "Bearer ..."); otherwise it is a bearer token.
 */
export function credentialEnv(credential: string | undefined): NodeJS.ProcessEnv {
  if (!credential) return {};
  const value = credential.includes(' ') ? credential : `Bearer ${credential}`;
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: ${value}`,
  };
}
