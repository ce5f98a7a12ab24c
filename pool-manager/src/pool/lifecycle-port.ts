// What the pool core needs from a container's lifecycle sidecar (warmgate.agent.v1.Lifecycle).
// The gRPC adapter lives in ../lifecycle; tests use an in-memory fake.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { agentv1 } from '@warmgate/proto';
import type { Container } from './runtime-port.js';

export type BindInit = MessageInitShape<typeof agentv1.BindRequestSchema>;

export interface LifecyclePort {
  bind(container: Container, request: BindInit, timeoutMs: number): Promise<agentv1.BindResponse>;
  drain(container: Container, bindingId: string, timeoutMs: number): Promise<agentv1.DrainResponse>;
  status(container: Container, timeoutMs: number): Promise<agentv1.GetStatusResponse>;
  /** Drops whatever connection is kept for this container (after destroy). */
  forget(container: Container): void;
  close(): void;
}

/** Where a user's repository lives, per bind (the store layout is not the pool core's business). */
export type RepositoryResolver = (
  userId: string,
  ephemeral: boolean,
) => MessageInitShape<typeof agentv1.RepositorySchema>;
