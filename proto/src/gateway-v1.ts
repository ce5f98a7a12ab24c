// warmgate.gateway.v1 spans two files: the gRPC service and the WebSocket envelope.
export * from './gen/warmgate/gateway/v1/gateway_pb.js';
export * from './gen/warmgate/gateway/v1/websocket_pb.js';
