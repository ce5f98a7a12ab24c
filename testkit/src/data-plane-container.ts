// The agent commands of this repository, and the data-plane container's older name:
// startAgentContainer with an `agentCommand` (agent-container.ts) is the one implementation.
import { join } from 'node:path';
import {
  startAgentContainer,
  type AgentContainer,
  type AgentContainerOptions,
  type ContainerAgent,
} from './agent-container.js';
import { entries, repoRoot } from './paths.js';

/** The agents of this repository as commands (`python` makes its venv on first start). */
export const agentCommands = {
  'typescript-mcp': [process.execPath, entries.agent, 'mcp'],
  python: [join(repoRoot, 'agent-py/bin/warmgate-agent-py')],
} as const;

export type DataPlaneContainerOptions = AgentContainerOptions & {
  readonly agentCommand: readonly string[];
};

export type DataPlaneContainer = AgentContainer<ContainerAgent>;

/** startAgentContainer with the agent's command required. */
export function startDataPlaneContainer(
  options: DataPlaneContainerOptions,
): Promise<DataPlaneContainer> {
  return startAgentContainer(options);
}
