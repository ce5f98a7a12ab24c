// In-memory stand-ins for the runtime and the sidecars, on a manual clock: for unit tests of
// the pool core and for the sizing simulation (loadtest bench `adaptive`).
export { FakeAgents, type FakeAgent } from './fake-lifecycle.js';
export { FakeRuntime } from './fake-runtime.js';
export { ManualClock } from '../pool/manual-clock.js';
export { createMemoryHistoryStore } from '../pool/history-port.js';
export { ClaimHistory } from '../pool/claim-history.js';
