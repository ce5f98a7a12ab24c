// Where a binding finds its user's repository in the Kubernetes repo store. The binding id is
// part of the path so that a credential is only good together with the binding it was minted
// for; the user part is the embedded store's file name, so both stores lay repositories out
// the same way.
import { safeUserName } from '@warmgate/contract';
import { errors } from '@warmgate/proto';

const BINDING_ID = /^[A-Za-z0-9._~-]{1,128}$/;

/** `http://store:8081/b/<bindingId>/<user>.git`: what the pool manager puts in BindRequest. */
export function repoUrl(baseUrl: string, userId: string, bindingId: string): string {
  if (!BINDING_ID.test(bindingId)) throw errors.invalidArgument('binding id is not URL-safe');
  return `${baseUrl.replace(/\/+$/, '')}/b/${bindingId}/${safeUserName(userId)}.git`;
}

export interface RepoRequestPath {
  readonly bindingId: string;
  /** `<user>.git` */
  readonly repo: string;
  /** What follows the repository: `/info/refs`, `/git-upload-pack`, ... */
  readonly rest: string;
}

const PATH = /^\/b\/([A-Za-z0-9._~-]{1,128})\/([a-z0-9_][a-z0-9_.-]*\.git)(\/.*)$/;

/** Parses a request path; undefined for anything that is not exactly a repository request. */
export function parseRepoPath(pathname: string): RepoRequestPath | undefined {
  const match = PATH.exec(pathname);
  if (match === null) return undefined;
  const [, bindingId, repo, rest] = match;
  if (repo!.includes('..') || rest!.includes('..')) return undefined;
  return { bindingId: bindingId!, repo: repo!, rest: rest! };
}
