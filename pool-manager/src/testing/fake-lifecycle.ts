import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { agentv1, errors } from '@warmgate/proto';
import { sleepOn, type Clock } from '../pool/clock.js';
import type { BindInit, LifecyclePort } from '../pool/lifecycle-port.js';
import type { Container } from '../pool/runtime-port.js';

export interface FakeAgent {
  state: agentv1.AgentState;
  bindingId: string;
  userId: string;
  lastActivity: number;
  inFlight: number;
  /** Written by the user since bind; saved to the store on drain. */
  data: string[];
}

/**
 * Fake agents with a fake repository store, behind the LifecyclePort: bind restores the
 * user's saved data, drain saves it. Failure switches let tests break one step.
 */
export class FakeAgents implements LifecyclePort {
  readonly agents = new Map<string, FakeAgent>();
  readonly store = new Map<string, string[]>();
  bindMs = 0;
  failBinds = 0;
  failDrains = 0;
  binds = 0;
  drains = 0;

  constructor(private readonly clock: Clock) {}

  add(id: string): void {
    this.agents.set(id, {
      state: agentv1.AgentState.WARM,
      bindingId: '',
      userId: '',
      lastActivity: this.clock.now(),
      inFlight: 0,
      data: [],
    });
  }

  remove(id: string): void {
    this.agents.delete(id);
  }

  /** The agent bound to `userId`, if any (what a gateway would write through). */
  agentOf(userId: string): FakeAgent | undefined {
    return [...this.agents.values()].find(
      (a) => a.userId === userId && a.state === agentv1.AgentState.BOUND,
    );
  }

  async bind(container: Container, request: BindInit): Promise<agentv1.BindResponse> {
    const agent = this.get(container);
    if (this.bindMs) await sleepOn(this.clock, this.bindMs);
    if (this.failBinds > 0) {
      this.failBinds--;
      throw errors.permissionDenied('fake: the store refused the repository');
    }
    if (agent.state !== agentv1.AgentState.WARM) throw errors.failedPrecondition('not warm');
    agent.state = agentv1.AgentState.BOUND;
    agent.bindingId = request.bindingId ?? '';
    agent.userId = request.userId ?? '';
    agent.lastActivity = this.clock.now();
    agent.data = [...(this.store.get(agent.userId) ?? [])];
    this.binds++;
    return create(agentv1.BindResponseSchema, { headCommit: 'fake', created: false });
  }

  async drain(container: Container, bindingId: string): Promise<agentv1.DrainResponse> {
    const agent = this.get(container);
    if (this.failDrains > 0) {
      this.failDrains--;
      throw errors.unavailable('fake: push failed');
    }
    if (agent.bindingId !== bindingId) throw errors.failedPrecondition('other binding');
    this.store.set(agent.userId, [...agent.data]);
    agent.state = agentv1.AgentState.DRAINED;
    this.drains++;
    return create(agentv1.DrainResponseSchema, { headCommit: 'fake', pushed: true });
  }

  async status(container: Container): Promise<agentv1.GetStatusResponse> {
    const agent = this.get(container);
    return create(agentv1.GetStatusResponseSchema, {
      state: agent.state,
      bindingId: agent.bindingId,
      userId: agent.userId,
      lastActivity: timestampFromMs(agent.lastActivity),
      inFlight: agent.inFlight,
    });
  }

  forget(): void {}
  close(): void {}

  private get(container: Container): FakeAgent {
    const agent = this.agents.get(container.id);
    if (!agent) throw errors.unavailable(`no agent answers at ${container.lifecycleAddress}`);
    return agent;
  }
}
