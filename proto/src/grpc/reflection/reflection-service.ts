// gRPC server reflection (grpc.reflection.v1 and v1alpha) that a reflection-only client such
// as grpcurl can use: every answer carries the complete FileDescriptorProto of the file that
// defines the symbol plus all the files it imports, transitively, with fully-qualified type
// names — exactly the descriptors protobuf-es embeds in the generated code, serialized as is.
import {
  createFileRegistry,
  createRegistry,
  type DescFile,
  type DescService,
  type Registry,
  toBinary,
} from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import { FileDescriptorProtoSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import type { Server } from '@grpc/grpc-js';
import { addService } from '../server.js';
import { healthFile, reflectionFile } from './descriptors.js';

const standalone = (proto: FileDescriptorProto) =>
  createFileRegistry(proto, () => undefined).getFile(proto.name)!;

const healthDesc = standalone(healthFile);
const reflectionDescs = [standalone(reflectionFile('v1')), standalone(reflectionFile('v1alpha'))];

/** grpc.health.v1.Health, to list beside the services a server reflects (grpc-health-check serves it). */
export const healthService: DescService = healthDesc.services[0]!;

// gRPC status codes used in ErrorResponse.
const NOT_FOUND = 5;
const INVALID_ARGUMENT = 3;

type Request = {
  host: string;
  messageRequest:
    | {
        case: 'fileByFilename' | 'fileContainingSymbol' | 'allExtensionNumbersOfType';
        value: string;
      }
    | { case: 'listServices'; value: string }
    | {
        case: 'fileContainingExtension';
        value: { containingType: string; extensionNumber: number };
      }
    | { case: undefined; value?: undefined };
};

/**
 * Serves reflection for `services` (and for the reflection services themselves) on `server`.
 * Put `healthService` in the list when the server also serves grpc-health-check.
 */
export function addReflection(server: Server, services: readonly DescService[]): void {
  const all = [...services, ...reflectionDescs.map((file) => file.services[0]!)];
  const files = new Map<string, DescFile>();
  const visit = (file: DescFile) => {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file);
    file.dependencies.forEach(visit);
  };
  all.forEach((service) => visit(service.file));
  const registry = createRegistry(...files.values());
  const names = all.map((service) => service.typeName);

  const answer = (request: Request) => {
    const { messageRequest: m } = request;
    const base = { validHost: request.host, originalRequest: request };
    const error = (code: number, message: string) => ({
      ...base,
      messageResponse: { case: 'errorResponse', value: { errorCode: code, errorMessage: message } },
    });
    const fileResponse = (file: DescFile) => ({
      ...base,
      messageResponse: {
        case: 'fileDescriptorResponse',
        value: { fileDescriptorProto: withDependencies(file) },
      },
    });
    switch (m.case) {
      case 'listServices':
        return {
          ...base,
          messageResponse: {
            case: 'listServicesResponse',
            value: { service: names.map((name) => ({ name })) },
          },
        };
      case 'fileByFilename': {
        const file = files.get(m.value);
        return file ? fileResponse(file) : error(NOT_FOUND, `file not found: ${m.value}`);
      }
      case 'fileContainingSymbol': {
        const file = fileOfSymbol(registry, m.value);
        return file ? fileResponse(file) : error(NOT_FOUND, `symbol not found: ${m.value}`);
      }
      case 'fileContainingExtension':
        return error(
          NOT_FOUND,
          `extension not found: ${m.value.containingType} ${m.value.extensionNumber}`,
        );
      case 'allExtensionNumbersOfType':
        return registry.getMessage(m.value)
          ? {
              ...base,
              messageResponse: {
                case: 'allExtensionNumbersResponse',
                value: { baseTypeName: m.value, extensionNumber: [] },
              },
            }
          : error(NOT_FOUND, `type not found: ${m.value}`);
      default:
        return error(INVALID_ARGUMENT, 'the request names no message_request');
    }
  };

  for (const file of reflectionDescs) {
    addService(
      server,
      file.services[0]! as unknown as GenService<GenServiceMethods>,
      {
        async *serverReflectionInfo(requests: AsyncIterable<Request>) {
          for await (const request of requests) yield answer(request);
        },
      } as never,
    );
  }
}

/** The file's serialized descriptor first, then every file it imports, transitively. */
function withDependencies(file: DescFile): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  const visit = (f: DescFile) => {
    if (seen.has(f.proto.name)) return;
    seen.add(f.proto.name);
    out.push(toBinary(FileDescriptorProtoSchema, f.proto));
    f.dependencies.forEach(visit);
  };
  visit(file);
  return out;
}

/** The file defining a type, service, method, field or enum value (leading dot allowed). */
function fileOfSymbol(registry: Registry, symbol: string): DescFile | undefined {
  let name = symbol.replace(/^\./, '');
  // A method or field is `<parent>.<member>`: walk up to the nearest named type.
  while (name.length > 0) {
    const desc = registry.get(name);
    if (desc) return desc.file;
    const dot = name.lastIndexOf('.');
    if (dot < 0) return undefined;
    name = name.slice(0, dot);
  }
  return undefined;
}
