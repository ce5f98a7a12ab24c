// gRPC server reflection (grpcurl, grpcui, Postman) for the Gateway service. @grpc/reflection
// reads a proto-loader package definition; we build it from the protobuf-es descriptors the
// code already embeds, so there is no .proto file to ship or keep in sync.
import { create, toBinary, type DescFile } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { loadFileDescriptorSetFromBuffer } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import type { Server } from '@grpc/grpc-js';

/** Adds reflection for the services defined in `files` (and everything they import). */
export function addReflection(server: Server, files: readonly DescFile[]): void {
  const ordered: DescFile[] = [];
  const seen = new Set<string>();
  // Dependencies first, as a FileDescriptorSet consumer expects.
  const visit = (file: DescFile) => {
    if (seen.has(file.name)) return;
    seen.add(file.name);
    file.dependencies.forEach(visit);
    ordered.push(file);
  };
  files.forEach(visit);
  const set = create(FileDescriptorSetSchema, { file: ordered.map((file) => file.proto) });
  const definition = loadFileDescriptorSetFromBuffer(
    Buffer.from(toBinary(FileDescriptorSetSchema, set)),
  );
  new ReflectionService(definition).addToServer(server);
}
