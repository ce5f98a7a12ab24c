// The generic grpc-js adapter: protobuf-es service descriptors in, typed servers and clients out.
export { addService } from './server.js';
export { createClient, type ClientOptions } from './client.js';
export { createServiceDefinition } from './service-definition.js';
export {
  fromGrpcStatus,
  fromServiceError,
  toGrpcStatus,
  toServiceError,
} from './status-mapping.js';
export { listen } from './listen.js';
export { addReflection, healthService } from './reflection/index.js';
export type { CallOptions, Client, HandlerContext, ServiceImpl } from './types.js';
