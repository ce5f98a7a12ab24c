// The pool manager's side of the Kubernetes store: BindRequest.repository for one binding —
// the user's repository URL under this binding, and a credential for exactly that.
import { mintRepoCredential } from './credential.js';
import { repoUrl } from './repo-url.js';

export interface StoreClientOptions {
  /** WARMGATE_STORE_URL, e.g. http://wg-warmgate-repo-store:8081 */
  readonly storeUrl: string;
  readonly secret: string | Uint8Array;
  /** Must outlive the binding up to its final push at drain (see docs/kubernetes.md). */
  readonly credentialTtlMs: number;
  /** Where "could not tell the store a binding ended" goes. */
  readonly log?: (message: string) => void;
}

export interface BindRepository {
  readonly url: string;
  readonly credential: string;
  readonly ephemeral: false;
}

export function createStoreRepositories(options: StoreClientOptions) {
  return (userId: string, bindingId: string, now: number = Date.now()): BindRepository => ({
    url: repoUrl(options.storeUrl, userId, bindingId),
    credential: mintRepoCredential({
      secret: options.secret,
      userId,
      bindingId,
      ttlMs: options.credentialTtlMs,
      now,
    }),
    ephemeral: false,
  });
}
