import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';

type MethodsOf<S> = S extends GenService<infer M> ? M : never;
type In<M> = M extends { input: infer I extends DescMessage } ? MessageShape<I> : never;
type InInit<M> = M extends { input: infer I extends DescMessage } ? MessageInitShape<I> : never;
type Out<M> = M extends { output: infer O extends DescMessage } ? MessageShape<O> : never;
type OutInit<M> = M extends { output: infer O extends DescMessage } ? MessageInitShape<O> : never;

/** What a handler knows about its call. No grpc-js types leak past the adapter. */
export interface HandlerContext {
  /** Request metadata, lower-case keys, first value of each (binary keys left out). */
  readonly headers: Readonly<Record<string, string>>;
  /** Aborted when the client cancels, disconnects or the deadline passes. */
  readonly signal: AbortSignal;
  /** Absolute deadline in ms since the epoch, if the client set one. */
  readonly deadline: number | undefined;
  readonly peer: string;
}

type Handler<M> = M extends { methodKind: 'unary' }
  ? (request: In<M>, context: HandlerContext) => Promise<OutInit<M>>
  : M extends { methodKind: 'server_streaming' }
    ? (request: In<M>, context: HandlerContext) => AsyncIterable<OutInit<M>>
    : M extends { methodKind: 'client_streaming' }
      ? (requests: AsyncIterable<In<M>>, context: HandlerContext) => Promise<OutInit<M>>
      : M extends { methodKind: 'bidi_streaming' }
        ? (requests: AsyncIterable<In<M>>, context: HandlerContext) => AsyncIterable<OutInit<M>>
        : never;

/** The implementation of a service: one handler per method. */
export type ServiceImpl<S extends GenService<GenServiceMethods>> = {
  [K in keyof MethodsOf<S>]: Handler<MethodsOf<S>[K]>;
};

export interface CallOptions {
  /** Aborting cancels the call (CANCELLED). */
  signal?: AbortSignal;
  /** Relative deadline; the call fails with DEADLINE_EXCEEDED after it. */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

type ClientMethod<M> = M extends { methodKind: 'unary' }
  ? (request: InInit<M>, options?: CallOptions) => Promise<Out<M>>
  : M extends { methodKind: 'server_streaming' }
    ? (request: InInit<M>, options?: CallOptions) => AsyncIterable<Out<M>>
    : M extends { methodKind: 'client_streaming' }
      ? (requests: AsyncIterable<InInit<M>>, options?: CallOptions) => Promise<Out<M>>
      : M extends { methodKind: 'bidi_streaming' }
        ? (requests: AsyncIterable<InInit<M>>, options?: CallOptions) => AsyncIterable<Out<M>>
        : never;

/** A typed client: one promise- or iterable-returning function per method. */
export type Client<S extends GenService<GenServiceMethods>> = {
  [K in keyof MethodsOf<S>]: ClientMethod<MethodsOf<S>[K]>;
};
