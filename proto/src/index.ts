// The wire contract. Each proto package is one namespace: gatewayv1.ChatRequestSchema, ...
export * from './errors.js';
export { parseMcpUrl, unixMcpUrl, type McpEndpoint } from './mcp-url.js';
export {
  AuthMode,
  ErrorCode,
  ErrorSchema,
  type Error as ErrorMessage,
} from './gen/warmgate/common/v1/common_pb.js';
export * as gatewayv1 from './gateway-v1.js';
export * as poolv1 from './gen/warmgate/pool/v1/pool_pb.js';
export * as agentv1 from './gen/warmgate/agent/v1/lifecycle_pb.js';
export * as testingv1 from './gen/warmgate/testing/v1/echo_pb.js';
