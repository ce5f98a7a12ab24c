// The repo store on Kubernetes: the users' bare repositories on the store's persistent volume,
// served over git smart HTTP to the sidecars. Every request carries a credential the pool
// manager minted for one user and one binding; the path must name exactly that user's
// repository and that binding, so a credential can neither reach another user's repository
// nor be replayed under another binding.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { safeUserName } from '@warmgate/contract';
import { WarmgateError } from '@warmgate/proto';
import { verifyRepoCredential } from './credential.js';
import { ENDED_PREFIX, endedBindings, endedSignatureValid } from './ended-bindings.js';
import { runHttpBackend } from './git-http-backend.js';
import { DEFAULT_QUOTA_BYTES, receiveEnv, writeStoreHooks } from './receive-policy.js';
import { parseRepoPath } from './repo-url.js';
import { repositoryWriters } from './repository-writers.js';

const exec = promisify(execFile);

export { DEFAULT_QUOTA_BYTES };

export interface StoreServerOptions {
  /** The directory of bare repositories (the StatefulSet's volume). */
  readonly root: string;
  readonly secret: Uint8Array | string;
  /** The most a repository may hold on disk (WARMGATE_STORE_QUOTA); a push past it is refused. */
  readonly quotaBytes?: number;
  readonly now?: () => number;
  readonly log?: (message: string) => void;
}

export function createStoreServer(options: StoreServerOptions): Server {
  const now = options.now ?? Date.now;
  const quotaBytes = options.quotaBytes ?? DEFAULT_QUOTA_BYTES;
  const ended = endedBindings(options.root);
  let hooks: Promise<string> | undefined;
  const policyEnv = async () =>
    receiveEnv(await (hooks ??= writeStoreHooks(options.root, quotaBytes)), quotaBytes);
  const writers = repositoryWriters(options.root, options.log);
  const creating = new Map<string, Promise<void>>();
  const ensureRepo = (repo: string): Promise<void> => {
    let pending = creating.get(repo);
    if (pending === undefined) {
      pending = initBareRepo(options.root, repo).finally(() => creating.delete(repo));
      creating.set(repo, pending);
    }
    return pending;
  };

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log?.(`store: ${req.method} ${req.url}: ${String(error)}`);
      if (!res.headersSent) reply(res, 500, 'internal error');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://store');
    if (url.pathname === '/healthz') return reply(res, 200, 'ok');
    if (url.pathname.startsWith(ENDED_PREFIX) && req.method === 'POST') {
      return endBinding(req, res, decodeURIComponent(url.pathname.slice(ENDED_PREFIX.length)));
    }
    const path = parseRepoPath(url.pathname);
    if (path === undefined) return reply(res, 404, 'not found');
    const token = bearer(req.headers.authorization);
    if (token === undefined) return challenge(res, 'missing credential');
    let claims;
    try {
      claims = verifyRepoCredential(options.secret, token, now());
    } catch (error) {
      return challenge(res, WarmgateError.from(error).message);
    }
    if (claims.bindingId !== path.bindingId || `${safeUserName(claims.userId)}.git` !== path.repo) {
      // Same answer for "other user" and "other binding": the caller learns nothing.
      return reply(res, 403, 'credential not valid for this repository');
    }
    if (await ended.has(claims.bindingId)) {
      return challenge(res, 'the binding of this credential has ended');
    }
    // A pack bigger than the whole quota can only be refused: do not spool it to disk first.
    const length = Number(req.headers['content-length'] ?? 0);
    if (path.rest.endsWith('/git-receive-pack') && length > quotaBytes) {
      return reply(res, 413, `push refused: ${length} bytes is over the repository quota`);
    }
    await ensureRepo(path.repo);
    const env = await policyEnv();
    // A binding's first request removes the locks a store killed mid-push left behind.
    await writers.run(path.repo, claims.bindingId, () =>
      runHttpBackend(req, res, {
        projectRoot: options.root,
        pathInfo: `/${path.repo}${path.rest}`,
        remoteUser: path.repo,
        env,
        maxBodyBytes: quotaBytes,
      }),
    );
  }

  async function endBinding(req: IncomingMessage, res: ServerResponse, bindingId: string) {
    const token = bearer(req.headers.authorization);
    if (bindingId === '' || token === undefined) return challenge(res, 'missing credential');
    if (!endedSignatureValid(options.secret, bindingId, token)) {
      return challenge(res, 'signature does not verify');
    }
    await ended.mark(bindingId);
    reply(res, 200, 'ended');
  }
}

/** A first-time user's repository: empty, made under a temporary name and renamed into place. */
async function initBareRepo(root: string, repo: string): Promise<void> {
  const target = join(root, repo);
  if (await exists(join(target, 'HEAD'))) return;
  await mkdir(root, { recursive: true });
  const temp = join(root, `.tmp-${randomBytes(6).toString('hex')}.git`);
  try {
    await exec('git', ['init', '-q', '--bare', '--template=', '--initial-branch=main', temp]);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (!(await exists(join(target, 'HEAD')))) throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** `Bearer <token>`, or Basic with the token as the password (git's own credential path). */
function bearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (value === undefined) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return value;
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

function challenge(res: ServerResponse, message: string): void {
  res.setHeader('WWW-Authenticate', 'Basic realm="warmgate repo store"');
  reply(res, 401, message);
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(`${message}\n`);
}
