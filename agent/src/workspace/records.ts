// Typed reads of the workspace layout. Reads never throw for a damaged file (a user may edit
// their repository by hand): they fall back to the template's defaults, so the agent keeps
// serving; writes always validate first.
import type { z } from 'zod';
import { errors } from '@warmgate/proto';
import {
  DEFAULT_PROFILE,
  DEFAULT_SYSTEM_PROMPT,
  DEFAULT_WORKSPACE,
  PROFILE_FILE,
  ProfileSchema,
  SYSTEM_PROMPT_FILE,
  WORKSPACE_FILE,
  WorkspaceStateSchema,
  type Profile,
  type WorkspaceState,
} from './layout.js';
import type { Workspace } from './workspace.js';

/** Names of saved items: no path syntax at all (no `/`, no `.`), so no traversal, no `.git`. */
export const ITEM_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function checkName(kind: string, name: string): string {
  if (!ITEM_NAME.test(name) || name === 'list') {
    throw errors.invalidArgument(
      `${kind} name ${JSON.stringify(name.slice(0, 80))} is not allowed: use 1-64 lower-case letters, digits, "-" or "_", starting with a letter or digit ("list" is reserved)`,
    );
  }
  return name;
}

export async function readJson<T>(
  workspace: Workspace,
  path: string,
  schema: z.ZodType<T>,
  fallback: T,
): Promise<T> {
  const text = await workspace.read(path);
  if (text === undefined) return fallback;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

export const readProfile = (workspace: Workspace): Promise<Profile> =>
  readJson(workspace, PROFILE_FILE, ProfileSchema, DEFAULT_PROFILE);

export const readWorkspaceState = (workspace: Workspace): Promise<WorkspaceState> =>
  readJson(workspace, WORKSPACE_FILE, WorkspaceStateSchema, DEFAULT_WORKSPACE);

export async function readSystemPrompt(workspace: Workspace): Promise<string> {
  return (await workspace.read(SYSTEM_PROMPT_FILE)) ?? DEFAULT_SYSTEM_PROMPT;
}

export const toJsonFile = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** A saved item (indicator or strategy): `<folder>/<name>.json`. */
export interface SavedItem<T> {
  name: string;
  description: string;
  body: T;
}

export function itemPath(folder: string, name: string): string {
  return `${folder}/${name}.json`;
}

export async function listItems(workspace: Workspace, folder: string): Promise<string[]> {
  return (await workspace.list(folder))
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .filter((name) => ITEM_NAME.test(name));
}

export async function readItem(
  workspace: Workspace,
  folder: string,
  name: string,
  bodyKey: string,
): Promise<SavedItem<unknown> | undefined> {
  const text = await workspace.read(itemPath(folder, checkName('item', name)));
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return {
      name,
      description: typeof parsed.description === 'string' ? parsed.description : '',
      body: parsed[bodyKey],
    };
  } catch {
    return { name, description: '(unreadable file)', body: undefined };
  }
}
