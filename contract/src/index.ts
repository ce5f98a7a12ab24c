// @warmgate/contract: what the gateway, the pool manager and the agent agree on besides the
// proto files — trust headers and the assertion, direct-mode credentials, the user-id rule,
// store naming, the agent's context URIs, MCP meta keys and internal tools. Light on purpose
// (jose and @warmgate/proto only); a process that needs one part imports its subpath
// (`@warmgate/contract/user-id`, ...) and loads nothing else.
export {
  ASSERTION_HEADER,
  MAX_ASSERTION_TTL_S,
  signAssertion,
  verifyAssertion,
  type AssertionClaims,
} from './assertion.js';
export {
  CREDENTIAL_HEADER,
  createDirectVerifier,
  type DirectClaims,
  type DirectVerifier,
} from './direct-credential.js';
export { MAX_USER_ID_LENGTH, isValidUserId, validateUserId } from './user-id.js';
export { ensureStore, repoPathFor, repoUrlFor, safeUserName } from './store-naming.js';
export { isLockFile, removeStaleLocks } from './stale-locks.js';
export { CONTEXT_URIS, indicatorUri, strategyUri, type ContextResource } from './context-uris.js';
export {
  CALL_META,
  CANCEL_NOTIFICATION,
  CODE_META,
  INTERNAL_TOOL_META,
  SUBSCRIBER_CAPABILITY,
  SUBSCRIBER_META,
} from './meta-keys.js';
export {
  CONVERSATION_APPEND_LIMITS,
  CONVERSATION_APPEND_TOOL,
  type ConversationAppendArguments,
} from './internal-tools.js';
