export {
  mintRepoCredential,
  verifyRepoCredential,
  type MintOptions,
  type RepoCredentialClaims,
} from './credential.js';
export { repoUrl } from './repo-url.js';
export { createStoreServer, type StoreServerOptions } from './store-server.js';
export {
  createStoreRepositories,
  type BindRepository,
  type StoreClientOptions,
} from './bind-repository.js';
export { endedSignature, notifyBindingEnded } from './ended-bindings.js';
export { parseSize, RECEIVE_SETTINGS } from './receive-policy.js';
