import { errors, ErrorCode, WarmgateError } from '@warmgate/proto';
import { sleepOn, type Clock } from '../pool/clock.js';
import type {
  ClaimRecord,
  Container,
  ContainerPhase,
  Profile,
  Runtime,
} from '../pool/runtime-port.js';
import type { FakeAgents } from './fake-lifecycle.js';

interface FakeContainer {
  id: string;
  profile: string;
  createdAt: number;
  phase: ContainerPhase;
  claim?: ClaimRecord;
}

/**
 * An in-memory Runtime on a (manual) clock: creates take `createMs` of clock time, and every
 * container gets a fake agent in `agents`. For unit tests and the sizing simulation.
 */
export class FakeRuntime implements Runtime {
  readonly kind = 'local' as const;
  readonly containers = new Map<string, FakeContainer>();
  createMs: number;
  /** The next this-many creates fail. */
  failCreates = 0;
  created = 0;
  destroyed = 0;
  private seq = 0;
  private readonly deathListeners = new Set<(id: string) => void>();

  constructor(
    private readonly clock: Clock,
    private readonly agents: FakeAgents,
    options: { createMs?: number } = {},
  ) {
    this.createMs = options.createMs ?? 1000;
  }

  async create(profile: Profile): Promise<Container> {
    await sleepOn(this.clock, this.createMs);
    if (this.failCreates > 0) {
      this.failCreates--;
      throw errors.unavailable('fake create failure');
    }
    const id = `fake-${++this.seq}`;
    const container: FakeContainer = {
      id,
      profile: profile.name,
      createdAt: this.clock.now(),
      phase: 'warm',
    };
    this.containers.set(id, container);
    this.agents.add(id);
    this.created++;
    return view(container);
  }

  async claim(id: string, claim: ClaimRecord): Promise<Container> {
    const container = this.containers.get(id);
    if (!container) throw errors.notFound(`no container ${id}`);
    if (container.claim) throw new WarmgateError(ErrorCode.ABORTED, `${id} is already claimed`);
    container.claim = claim;
    container.phase = 'claimed';
    return view(container);
  }

  async markDraining(id: string): Promise<void> {
    const container = this.containers.get(id);
    if (container) container.phase = 'draining';
  }

  async destroy(id: string): Promise<void> {
    if (!this.containers.delete(id)) return;
    this.agents.remove(id);
    this.destroyed++;
  }

  async list(): Promise<Container[]> {
    return [...this.containers.values()].map(view);
  }

  onDeath(listener: (id: string) => void): () => void {
    this.deathListeners.add(listener);
    return () => this.deathListeners.delete(listener);
  }

  /** The container dies on its own (as `docker kill` would): its agent stops answering, and the runtime tells its listeners. */
  kill(id: string): void {
    this.agents.remove(id);
    for (const listener of this.deathListeners) listener(id);
  }

  async close(): Promise<void> {}

  countByPhase(phase: ContainerPhase): number {
    return [...this.containers.values()].filter((c) => c.phase === phase).length;
  }
}

function view(container: FakeContainer): Container {
  return {
    id: container.id,
    profile: container.profile,
    mcpUrl: `http://fake/${container.id}/mcp`,
    lifecycleAddress: `fake:${container.id}`,
    createdAt: container.createdAt,
    phase: container.phase,
    claim: container.claim,
  };
}
