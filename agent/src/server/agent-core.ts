// The agent's state machine: warm → bound (once, for one user) → draining → drained. It owns
// the workspace, counts in-flight work, records activity, and tells subscribers which
// resources changed. Transports (HTTP, stdio) and the control API sit on top of it.
import { EventEmitter } from 'node:events';
import { AuthMode, errors } from '@warmgate/proto';
import type {
  AgentStateName,
  AgentStatus,
  BindCommand,
  DrainResult,
} from '../control/control-protocol.js';
import { CallRegistry } from '../mcp/call-registry.js';
import { SubscriberRegistry } from '../mcp/subscribers.js';
import { validateUserId } from '@warmgate/contract/user-id';
import { Workspace } from '../workspace/workspace.js';

export interface Binding {
  readonly bindingId: string;
  readonly userId: string;
  readonly tier: string;
  readonly mode: AuthMode;
  readonly assertionKey: Uint8Array;
}

export interface Serving {
  readonly binding: Binding;
  readonly workspace: Workspace;
}

export class AgentCore {
  private state: AgentStateName = 'warm';
  private serving: Serving | undefined;
  private inFlight = 0;
  private lastActivityMs = 0;
  private readonly idleWaiters = new Set<() => void>();
  private drained: DrainResult | undefined;
  /** Emits 'changed' with the resource URIs a mutation touched. */
  readonly changes = new EventEmitter();
  /** Subscriptions a gateway client holds across the agent's MCP sessions (subscribers.ts). */
  readonly subscribers = new SubscriberRegistry();
  /** Tool calls a gateway may cancel from any of its sessions (call-registry.ts). */
  readonly calls = new CallRegistry();

  constructor(
    private readonly workspaceDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.changes.setMaxListeners(0);
  }

  async bind(command: BindCommand): Promise<AgentStatus> {
    if (this.serving) {
      if (this.serving.binding.bindingId === command.bindingId) return this.status();
      throw errors.failedPrecondition(
        `agent is already bound (binding ${this.serving.binding.bindingId}); it is never re-bound`,
      );
    }
    if (this.state !== 'warm') {
      throw errors.failedPrecondition(`agent is ${this.state}; it cannot be bound`);
    }
    if (!command.bindingId) throw errors.invalidArgument('binding_id is empty');
    validateUserId(command.userId);
    const assertionKey = Buffer.from(command.assertionKey, 'base64url');
    if (command.mode !== AuthMode.DIRECT && assertionKey.length < 16) {
      throw errors.invalidArgument('assertion_key must be at least 16 bytes');
    }
    this.state = 'binding';
    try {
      const workspace = new Workspace({
        dir: this.workspaceDir,
        userId: command.userId,
        repository: command.repository,
      });
      await workspace.open();
      this.serving = {
        binding: {
          bindingId: command.bindingId,
          userId: command.userId,
          tier: command.tier,
          mode: command.mode as AuthMode,
          assertionKey: new Uint8Array(assertionKey),
        },
        workspace,
      };
      this.state = 'bound';
      this.lastActivityMs = this.now();
    } catch (error) {
      this.state = 'warm';
      throw error;
    }
    return this.status();
  }

  /** The binding to serve a request with; a clear error when there is none to serve. */
  current(): Serving {
    if (this.state === 'bound' && this.serving) return this.serving;
    if (this.state === 'warm' || this.state === 'binding') {
      throw errors.unavailable('agent is not bound to a user yet (warm container)');
    }
    throw errors.unavailable(`agent is ${this.state}: it accepts no new work`);
  }

  /** Runs one unit of user work, counted as in flight and as activity. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.current();
    this.inFlight++;
    this.lastActivityMs = this.now();
    try {
      return await work();
    } finally {
      this.inFlight--;
      this.lastActivityMs = this.now();
      if (this.inFlight === 0) for (const wake of this.idleWaiters) wake();
    }
  }

  touch(): void {
    this.lastActivityMs = this.now();
  }

  async drain(bindingId: string, timeoutMs: number): Promise<DrainResult> {
    if (this.drained) return this.drained;
    if (!this.serving) {
      this.state = 'drained';
      this.drained = { headCommit: '', pushed: false };
      return this.drained;
    }
    if (bindingId !== this.serving.binding.bindingId) {
      throw errors.failedPrecondition(
        `drain for binding ${bindingId}, but the agent serves ${this.serving.binding.bindingId}`,
      );
    }
    this.state = 'draining';
    await this.waitIdle(timeoutMs);
    const { head, pushed } = await this.serving.workspace.flush();
    this.state = 'drained';
    this.drained = { headCommit: head, pushed };
    return this.drained;
  }

  status(): AgentStatus {
    const binding = this.serving?.binding;
    return {
      state: this.state,
      bindingId: binding?.bindingId ?? '',
      userId: binding?.userId ?? '',
      tier: binding?.tier ?? '',
      mode: binding?.mode ?? AuthMode.UNSPECIFIED,
      lastActivityMs: this.lastActivityMs,
      unsavedChanges: this.serving?.workspace.unsavedChanges ?? 0,
      inFlight: this.inFlight,
      headCommit: this.serving?.workspace.head ?? '',
    };
  }

  emitChanged(uris: string[]): void {
    if (uris.length > 0) this.changes.emit('changed', uris);
  }

  private waitIdle(timeoutMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idleWaiters.delete(done);
        resolve();
      };
      // Past the timeout the final push still carries every acknowledged write: tool calls
      // acknowledge only after their own push.
      const timer = setTimeout(done, timeoutMs);
      this.idleWaiters.add(done);
    });
  }
}
