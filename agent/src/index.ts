// @warmgate/agent as a library, for the pool manager and the gateway: the embedded repo
// store's naming, and the gateway→agent assertion (one implementation on both sides).
// The processes themselves start from main.ts (node agent/dist/main.js agent|sidecar|stdio).
export {
  ensureStore,
  repoPathFor,
  repoUrlFor,
  safeUserName,
  validateUserId,
  MAX_USER_ID_LENGTH,
} from './store/repo-store.js';
export {
  signAssertion,
  verifyAssertion,
  ASSERTION_HEADER,
  MAX_ASSERTION_TTL_S,
  type AssertionClaims,
} from './auth/assertion.js';
export {
  CREDENTIAL_HEADER,
  createDirectVerifier,
  type DirectClaims,
  type DirectVerifier,
} from './auth/direct-credential.js';
export { SUBSCRIBER_CAPABILITY, SUBSCRIBER_META } from './mcp/subscribers.js';
export { CALL_META, CANCEL_NOTIFICATION } from './mcp/call-registry.js';
export { TEMPLATE_FILES } from './workspace/layout.js';
export {
  loadOtlpParts,
  otlpConfigured,
  recordProcessMetrics,
  startOtlpTelemetry,
} from './telemetry/index.js';
