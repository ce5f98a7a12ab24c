import { once } from 'node:events';
import { type DescMethod, type DescService } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import {
  type CallOptions as GrpcCallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ClientWritableStream,
  Client as GrpcClient,
  credentials as grpcCredentials,
  Metadata,
} from '@grpc/grpc-js';

import { createServiceDefinition } from './service-definition.js';
import { fromServiceError } from './status-mapping.js';
import { traceMetadata } from './tracing.js';
import type { CallOptions, Client } from './types.js';

export interface ClientOptions {
  /** Defaults to insecure (plaintext): Warmgate's internal channels run inside one cluster/machine. */
  credentials?: ChannelCredentials;
  channelOptions?: ChannelOptions;
  /** Metadata sent with every call (e.g. the internal hop's `authorization`); per-call headers win. */
  headers?: Record<string, string>;
}

/** A typed client of a protobuf-es service over one grpc-js channel. Call `close()` when done. */
export function createClient<S extends GenService<GenServiceMethods>>(
  service: S,
  address: string,
  options: ClientOptions = {},
): Client<S> & { close(): void; channel: GrpcClient } {
  const desc = service as unknown as DescService;
  const definition = createServiceDefinition(desc);
  const channel = new GrpcClient(
    address,
    options.credentials ?? grpcCredentials.createInsecure(),
    options.channelOptions,
  );
  const client: Record<string, unknown> = { close: () => channel.close(), channel };
  for (const method of desc.methods) {
    const def = definition[method.localName]!;
    client[method.localName] = bindMethod(
      channel,
      options.headers ?? {},
      method,
      def.path,
      def.requestSerialize,
      def.responseDeserialize,
    );
  }
  return client as Client<S> & { close(): void; channel: GrpcClient };
}

type Serialize = (value: unknown) => Buffer;
type Deserialize = (bytes: Buffer) => unknown;

function bindMethod(
  channel: GrpcClient,
  fixed: Record<string, string>,
  method: DescMethod,
  path: string,
  serialize: Serialize,
  deserialize: Deserialize,
) {
  switch (method.methodKind) {
    case 'unary':
      return (request: unknown, options: CallOptions = {}) =>
        new Promise((resolve, reject) => {
          const call = channel.makeUnaryRequest(
            path,
            serialize,
            deserialize,
            request,
            metadataOf(fixed, options),
            grpcOptionsOf(options),
            (error, value) => (error ? reject(fromServiceError(error)) : resolve(value)),
          );
          cancelOnAbort(call, options.signal);
        });
    case 'server_streaming':
      return (request: unknown, options: CallOptions = {}) => {
        const call = channel.makeServerStreamRequest(
          path,
          serialize,
          deserialize,
          request,
          metadataOf(fixed, options),
          grpcOptionsOf(options),
        );
        cancelOnAbort(call, options.signal);
        return readAll(call);
      };
    case 'client_streaming':
      return (requests: AsyncIterable<unknown>, options: CallOptions = {}) =>
        new Promise((resolve, reject) => {
          const call = channel.makeClientStreamRequest(
            path,
            serialize,
            deserialize,
            metadataOf(fixed, options),
            grpcOptionsOf(options),
            (error, value) => (error ? reject(fromServiceError(error)) : resolve(value)),
          );
          cancelOnAbort(call, options.signal);
          void writeAll(requests, call);
        });
    case 'bidi_streaming':
      return (requests: AsyncIterable<unknown>, options: CallOptions = {}) => {
        const call = channel.makeBidiStreamRequest(
          path,
          serialize,
          deserialize,
          metadataOf(fixed, options),
          grpcOptionsOf(options),
        );
        cancelOnAbort(call, options.signal);
        void writeAll(requests, call);
        return readAll(call);
      };
  }
}

async function* readAll(
  call: ClientReadableStream<unknown> | ClientDuplexStream<unknown, unknown>,
) {
  let finished = false;
  try {
    for await (const message of call.iterator({ destroyOnReturn: false })) yield message;
    finished = true;
  } catch (error) {
    finished = true;
    throw fromServiceError(error);
  } finally {
    // The consumer stopped early (break/return): nobody will read the rest.
    if (!finished) {
      call.on('error', () => {}); // the CANCELLED status we are causing
      call.cancel();
    }
  }
}

/** Sends the requests with backpressure, then half-closes; a failing source cancels the call. */
async function writeAll(
  requests: AsyncIterable<unknown>,
  call: ClientWritableStream<unknown> | ClientDuplexStream<unknown, unknown>,
): Promise<void> {
  const closed = new Promise<void>((resolve) => call.once('close', () => resolve()));
  try {
    for await (const request of requests) {
      if (call.destroyed || call.writableEnded) return;
      if (!call.write(request)) await Promise.race([once(call, 'drain'), closed]);
    }
    if (!call.destroyed) call.end();
  } catch {
    call.cancel();
  }
}

function metadataOf(fixed: Record<string, string>, options: CallOptions): Metadata {
  const metadata = new Metadata();
  const headers = { ...fixed, ...traceMetadata(), ...options.headers };
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return metadata;
}

function grpcOptionsOf(options: CallOptions): GrpcCallOptions {
  return options.timeoutMs === undefined ? {} : { deadline: Date.now() + options.timeoutMs };
}

function cancelOnAbort(
  call: { cancel(): void; once(e: string, f: () => void): unknown },
  signal?: AbortSignal,
) {
  if (!signal) return;
  if (signal.aborted) {
    queueMicrotask(() => call.cancel());
    return;
  }
  const onAbort = () => call.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  call.once('status', () => signal.removeEventListener('abort', onAbort));
}
