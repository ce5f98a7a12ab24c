// The name-clash rule. Platform tools are namespaced (market_*, time_*), so a clash needs a
// user tool that picked a platform name. When it happens the platform tool keeps the name
// (clients and prompts rely on platform names being stable across users) and the user tool
// is exposed as `user_<name>`, so it is never silently shadowed: both stay callable. If that
// name is taken too, `user_` is prefixed again until it is free.
import type { ToolDescriptor } from '../ports.js';

/** A tool as exposed to one session: its exposed name, and the name its owner knows it by. */
export interface ExposedTool {
  readonly descriptor: ToolDescriptor;
  readonly targetName: string;
}

export function exposeTools(
  platform: readonly ToolDescriptor[],
  user: readonly ToolDescriptor[],
): ExposedTool[] {
  const taken = new Set<string>();
  const out: ExposedTool[] = [];
  for (const tool of platform) {
    taken.add(tool.name);
    out.push({ descriptor: tool, targetName: tool.name });
  }
  // Names the user chose themselves win over names we make up for renamed tools.
  for (const tool of user) taken.add(tool.name);
  const seen = new Set<string>();
  for (const tool of user) {
    if (seen.has(tool.name)) continue; // a duplicate from the agent: keep the first
    seen.add(tool.name);
    let name = tool.name;
    if (platform.some((p) => p.name === name)) {
      // Bounded: each round adds one prefix and there are finitely many taken names.
      for (let round = 0; round <= taken.size && taken.has(name); round++) name = `user_${name}`;
      taken.add(name);
    }
    out.push({ descriptor: { ...tool, name, route: 'user' }, targetName: tool.name });
  }
  return out;
}
