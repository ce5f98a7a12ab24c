// The embedded store (`npm start`, the local runtime) follows the same receive policy as the
// store server: objects checked, no non-fast-forward push, no deletion, a size quota per
// repository. There no server stands between the pusher and the repository (an agent pushes
// by path and runs receive-pack itself), so the policy lives in each repository's config:
// at start the pool manager writes the quota hook beside the repositories and gives every
// existing repository the settings (repositories made before the settings existed included);
// repositories made later get them from the agent (agent/src/git/link-repository.ts), with
// the same relative hooks path.
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  HOOKS_FOLDER,
  PACKING_SETTINGS,
  RECEIVE_SETTINGS,
  writeStoreHooks,
} from './receive-policy.js';

const BEGIN = '# warmgate receive policy (written by the pool manager at start)';
const END = '# end of warmgate receive policy';

/** The policy as a config block; hooks run in the bare repository, one level below the root. */
function policyBlock(): string {
  const sections = new Map<string, string[]>([['core', [`\thooksPath = ../${HOOKS_FOLDER}`]]]);
  for (const [key, value] of [...RECEIVE_SETTINGS, ...PACKING_SETTINGS]) {
    const [section, name] = key.split('.') as [string, string];
    sections.set(section, [...(sections.get(section) ?? []), `\t${name} = ${value}`]);
  }
  const lines = [...sections].flatMap(([section, settings]) => [`[${section}]`, ...settings]);
  return [BEGIN, ...lines, END, ''].join('\n');
}

/** `config` with the policy block replaced (or added): the last value of a key wins in git. */
export function withPolicy(config: string): string {
  const start = config.indexOf(BEGIN);
  const end = config.indexOf(END);
  const rest =
    start >= 0 && end > start
      ? config.slice(0, start) + config.slice(end + END.length).replace(/^\n/, '')
      : config;
  return `${rest}${rest.endsWith('\n') || rest === '' ? '' : '\n'}${policyBlock()}`;
}

/** Writes the hook and puts the policy in every repository's config; returns how many. */
export async function applyEmbeddedPolicy(root: string, quotaBytes: number): Promise<number> {
  await writeStoreHooks(root, quotaBytes);
  const entries = await readdir(root, { withFileTypes: true });
  let applied = 0;
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.endsWith('.git') || entry.name.startsWith('.')) {
      continue;
    }
    const path = join(root, entry.name, 'config');
    let config: string;
    try {
      config = await readFile(path, 'utf8');
    } catch {
      continue; // not a repository (or one being made: the agent writes its config)
    }
    const updated = withPolicy(config);
    if (updated !== config) {
      const temp = `${path}.warmgate.tmp`;
      await writeFile(temp, updated);
      await rename(temp, path);
    }
    applied++;
  }
  return applied;
}
