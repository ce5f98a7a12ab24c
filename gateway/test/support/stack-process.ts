// The whole stack as `npm start` runs it (stack/dist/main.js: pool manager with the
// local-process runtime + gateway), in a child process on ephemeral loopback ports with its
// data in a temporary directory (@warmgate/testkit's startStack). Needs a fresh build
// (`npx tsc -b`).
import {
  entries,
  OPEN_ADMISSION_ENV,
  startStack as startTestkitStack,
  type Stack,
} from '@warmgate/testkit';

export type StackProcess = Stack;

export function startStack(env: Record<string, string> = {}): Promise<StackProcess> {
  return startTestkitStack({
    env: {
      WARMGATE_POOL_AGENT_ENTRY: entries.agent,
      WARMGATE_POOL_PROFILES: 'standard:min=1:max=24',
      WARMGATE_POOL_ADAPTIVE: 'false',
      ...OPEN_ADMISSION_ENV,
      ...env,
    },
    readyTimeoutMs: 45_000,
    stopGraceMs: 40_000,
  });
}
