import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { create, type DescMethod, type DescService } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import type {
  Metadata,
  sendUnaryData,
  ServiceError,
  Server,
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { errors, WarmgateError } from '../errors.js';
import { createServiceDefinition, UndecodableRequest } from './service-definition.js';
import { toServiceError } from './status-mapping.js';
import { serverSpan } from './tracing.js';
import type { HandlerContext, ServiceImpl } from './types.js';

type AnyCall = {
  metadata: Metadata;
  getPeer(): string;
  getDeadline(): Date | number;
} & NodeJS.EventEmitter;
type AnyHandler = (input: unknown, context: HandlerContext) => unknown;

export interface AddServiceOptions {
  /** Runs before every handler; throwing (e.g. UNAUTHENTICATED) refuses the call. */
  authenticate?: (context: HandlerContext) => void;
}

/** Registers a typed implementation of a protobuf-es service on a grpc-js server. */
export function addService<S extends GenService<GenServiceMethods>>(
  server: Server,
  service: S,
  impl: ServiceImpl<S>,
  options: AddServiceOptions = {},
): void {
  const desc = service as unknown as DescService;
  const handlers: UntypedServiceImplementation = {};
  for (const method of desc.methods) {
    const handler = (impl as Record<string, AnyHandler | undefined>)[method.localName];
    if (!handler) throw new Error(`no handler for ${desc.typeName}.${method.name}`);
    const bound = handler.bind(impl);
    const { authenticate } = options;
    // Checked before the handler sees the request, for every kind of method alike.
    const guarded: AnyHandler = authenticate
      ? (input, context) => {
          authenticate(context);
          return bound(input, context);
        }
      : bound;
    handlers[method.localName] = wrap(method, guarded);
  }
  server.addService(createServiceDefinition(desc), handlers);
}

function wrap(method: DescMethod, handler: AnyHandler) {
  const output = (value: unknown) => create(method.output, value as never);
  switch (method.methodKind) {
    case 'unary':
      return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        const { context, done } = contextOf(call);
        serverSpan(method, context.headers, async () => handler(decoded(call.request), context))
          .then(
            (value) => callback(null, output(value)),
            (error: unknown) => callback(toServiceError(error) as ServiceError),
          )
          .finally(done);
      };
    case 'server_streaming':
      return (call: ServerWritableStream<unknown, unknown>) => {
        const { context, done } = contextOf(call);
        void serverSpan(method, context.headers, () =>
          pump(
            () => handler(decoded(call.request), context) as AsyncIterable<unknown>,
            call,
            output,
            context.signal,
          ),
        ).finally(done);
      };
    case 'client_streaming':
      return (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        const { context, done } = contextOf(call);
        serverSpan(method, context.headers, async () =>
          handler(readAll(call, context.signal), context),
        )
          .then(
            (value) => callback(null, output(value)),
            (error: unknown) => callback(toServiceError(error) as ServiceError),
          )
          .finally(done);
      };
    case 'bidi_streaming':
      return (call: ServerDuplexStream<unknown, unknown>) => {
        const { context, done } = contextOf(call);
        void serverSpan(method, context.headers, () =>
          pump(
            () => handler(readAll(call, context.signal), context) as AsyncIterable<unknown>,
            call,
            output,
            context.signal,
          ),
        ).finally(done);
      };
  }
}

/** Writes a handler's responses with backpressure, then ends the call with OK or the error. */
async function pump(
  start: () => AsyncIterable<unknown>,
  call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>,
  output: (value: unknown) => unknown,
  signal: AbortSignal,
): Promise<void> {
  try {
    for await (const value of start()) {
      if (signal.aborted) break;
      if (!call.write(output(value))) {
        await Promise.race([once(call, 'drain'), aborted(signal)]);
      }
    }
    if (!signal.aborted) call.end();
  } catch (error) {
    if (!signal.aborted) call.emit('error', toServiceError(error));
  }
}

/** The call's incoming messages; iteration fails with CANCELLED if the call goes away. */
async function* readAll(call: Readable, signal: AbortSignal): AsyncIterable<unknown> {
  try {
    // A finished iterator would destroy the stream, and with a duplex the response side too.
    for await (const message of call.iterator({ destroyOnReturn: false })) {
      yield decoded(message);
    }
  } catch (error) {
    throw signal.aborted ? WarmgateError.from(signal.reason) : WarmgateError.from(error);
  }
  if (signal.aborted) throw WarmgateError.from(signal.reason);
}

/** The request, or INVALID_ARGUMENT when its bytes were not a message of the method's type. */
function decoded(request: unknown): unknown {
  if (request instanceof UndecodableRequest) {
    throw errors.invalidArgument(
      `the request is not a valid ${request.typeName}: ${WarmgateError.from(request.reason).message}`,
      request.reason,
    );
  }
  return request;
}

function contextOf(call: AnyCall): { context: HandlerContext; done: () => void } {
  const controller = new AbortController();
  const onCancel = () => controller.abort(errors.cancelled('the client cancelled the call'));
  call.once('cancelled', onCancel);
  const raw = call.getDeadline();
  const deadlineMs = raw instanceof Date ? raw.getTime() : raw;
  const deadline = Number.isFinite(deadlineMs) ? deadlineMs : undefined;
  const timer =
    deadline === undefined
      ? undefined
      : setTimeout(
          () => controller.abort(errors.deadlineExceeded('the call deadline passed')),
          Math.max(0, deadline - Date.now()),
        );
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(call.metadata.getMap())) {
    if (typeof value === 'string') headers[key] = value;
  }
  const context: HandlerContext = {
    headers,
    signal: controller.signal,
    deadline,
    peer: call.getPeer(),
  };
  const done = () => {
    if (timer) clearTimeout(timer);
    call.removeListener('cancelled', onCancel);
  };
  return { context, done };
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
