// A real gRPC Pool service on 127.0.0.1:0 that hands out bindings from a test-controlled
// table, and records Acquire (with stale_binding_id) and Touch.
import { Server } from '@grpc/grpc-js';
import { create } from '@bufbuild/protobuf';
import { errors, poolv1 } from '@warmgate/proto';
import { addService, listen } from '@warmgate/proto/grpc';

export interface PoolFixture {
  readonly address: string;
  readonly acquires: { userId: string; tier: string; staleBindingId: string }[];
  readonly touches: { userId: string; bindingId: string }[];
  /** traceparent metadata of each Acquire ('' when absent). */
  readonly traceparents: string[];
  /** What Acquire returns for a user; a function may look at stale_binding_id. */
  bindings: Map<string, (stale: string) => poolv1.Binding>;
  bound: boolean;
  close(): Promise<void>;
}

export function binding(userId: string, bindingId: string, mcpUrl: string, key: Uint8Array) {
  return create(poolv1.BindingSchema, {
    userId,
    bindingId,
    mcpUrl,
    assertionKey: key,
    tier: 'pro',
  });
}

export async function startPoolFixture(): Promise<PoolFixture> {
  const server = new Server();
  const fixture = {
    acquires: [] as PoolFixture['acquires'],
    touches: [] as PoolFixture['touches'],
    traceparents: [] as string[],
    bindings: new Map<string, (stale: string) => poolv1.Binding>(),
    bound: true,
  };
  addService(server, poolv1.Pool, {
    async acquire(request, context) {
      fixture.traceparents.push(context.headers.traceparent ?? '');
      fixture.acquires.push({
        userId: request.userId,
        tier: request.tier,
        staleBindingId: request.staleBindingId,
      });
      const make = fixture.bindings.get(request.userId);
      if (!make) throw errors.resourceExhausted(`no binding scripted for ${request.userId}`);
      return {
        binding: make(request.staleBindingId),
        source: poolv1.AcquireSource.WARM,
        durationMs: 1,
      };
    },
    async touch(request) {
      fixture.touches.push({ userId: request.userId, bindingId: request.bindingId });
      return { bound: fixture.bound };
    },
    async release() {
      return { released: true };
    },
    async getStatus() {
      return {};
    },
    async *watchState() {},
  });
  const port = await listen(server, '127.0.0.1', 0);
  return Object.assign(fixture, {
    address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  });
}
