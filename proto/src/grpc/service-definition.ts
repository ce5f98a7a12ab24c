import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type DescService,
} from '@bufbuild/protobuf';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

/** The grpc-js service definition of a protobuf-es service descriptor, keyed by local method name. */
export function createServiceDefinition(service: DescService): ServiceDefinition {
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    definition[method.localName] = {
      path: `/${service.typeName}/${method.name}`,
      originalName: method.name,
      requestStream:
        method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
      responseStream:
        method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
      requestSerialize: serializer(method.input),
      requestDeserialize: lenientDeserializer(method.input),
      responseSerialize: serializer(method.output),
      responseDeserialize: deserializer(method.output),
    };
  }
  return definition;
}

function serializer(schema: DescMessage) {
  // Accepts init shapes too: create() returns a message as it is and builds one from a plain object.
  return (value: unknown) => Buffer.from(toBinary(schema, create(schema, value as never)));
}

/**
 * A request that does not decode is the client's fault. grpc-js would answer INTERNAL for a
 * throwing deserializer, so the failure travels to the handler wrapper as a value instead,
 * which answers INVALID_ARGUMENT.
 */
export class UndecodableRequest {
  constructor(
    readonly typeName: string,
    readonly reason: unknown,
  ) {}
}

function lenientDeserializer(schema: DescMessage) {
  return (bytes: Buffer) => {
    try {
      return fromBinary(schema, bytes);
    } catch (reason) {
      return new UndecodableRequest(schema.typeName, reason);
    }
  };
}

function deserializer(schema: DescMessage) {
  return (bytes: Buffer) => fromBinary(schema, bytes);
}
