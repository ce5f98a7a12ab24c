// Fault injection on the split stack: find a user's agent container on disk and kill, stop
// or continue its agent process group; durable-write bookkeeping.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SplitStack } from './split-stack.js';

/** The pid of the agent process (its process-group leader) serving `userId` now. */
export async function agentPidOf(stack: SplitStack, userId: string): Promise<number> {
  const { binding } = await stack.poolClient().getStatus({ userId }, { timeoutMs: 5_000 });
  if (!binding) throw new Error(`${userId} is not bound`);
  const file = join(stack.sandbox.stateDir, binding.containerId, 'agent.pid');
  return Number(readFileSync(file, 'utf8'));
}

export async function bindingIdOf(stack: SplitStack, userId: string): Promise<string | undefined> {
  const { binding } = await stack.poolClient().getStatus({ userId }, { timeoutMs: 5_000 });
  return binding?.bindingId;
}

/** Sends `signal` to the whole process group of the user's agent (agent + its git children). */
export async function signalAgent(
  stack: SplitStack,
  userId: string,
  signal: NodeJS.Signals,
): Promise<number> {
  const pid = await agentPidOf(stack, userId);
  process.kill(-pid, signal);
  return pid;
}

/** Resolves once no process of the group is left (bounded). */
export async function groupGone(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`process group ${pid} still alive`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
