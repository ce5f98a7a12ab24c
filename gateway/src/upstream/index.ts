export {
  createAgentConnector,
  type AgentConnectorOptions,
  type ClosableAgentConnector,
} from './agent-connector.js';
export { createPoolApi, type PoolApi } from './pool-client.js';
export { contextResources } from './context-cache.js';
export { createAssertionSigner } from './assertion.js';
export { fromMcpError, AgentGoneError } from './mcp-errors.js';
export { appendTurnTool, appendTurnArguments } from './append-turn.js';
