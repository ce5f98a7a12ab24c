// The official Python MCP client (its venv: @warmgate/testkit's pythonWithMcp) and the script
// the agent's tests drive it with.
import { fileURLToPath } from 'node:url';

export { pythonWithMcp } from '@warmgate/testkit';

export const CLIENT_SCRIPT = fileURLToPath(new URL('../python/client.py', import.meta.url));
