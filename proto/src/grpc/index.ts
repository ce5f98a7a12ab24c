// The generic grpc-js adapter: protobuf-es service descriptors in, typed servers and clients out.
export { addService, type AddServiceOptions } from './server.js';
export { bearerHeaders, requireBearer } from './bearer-auth.js';
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
