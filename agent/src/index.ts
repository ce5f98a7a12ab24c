// @warmgate/agent as a library: the workspace template's files. What the agent shares with
// the gateway and the pool manager (assertion, store naming, user-id rule, context URIs, ...)
// is in @warmgate/contract; telemetry set-up in @warmgate/telemetry. The processes start from
// main.ts (node agent/dist/main.js sidecar|container|stdio|mcp).
// restoreWorkspace and PUSH_SETTINGS are exported for the bind bench (its in-process
// measurement, and its store repositories pushed as a workspace pushes).
export { TEMPLATE_FILES } from './workspace/template-files.js';
export { restoreWorkspace } from './workspace/restore.js';
export { PUSH_SETTINGS } from './git/git.js';
