import type { z } from 'zod';
import { errors, type WarmgateError } from '@warmgate/proto';
import { show } from './candles.js';
import { indicatorCatalog } from './catalog.js';

/** Bounds on raw JSON, checked before zod so hostile nesting can never overflow the stack. */
const MAX_JSON_DEPTH = 64;
const MAX_JSON_NODES = 20_000;

/** Refuses JSON nested deeper than {@link MAX_JSON_DEPTH} or with more than `maxNodes` values. */
export function checkJsonShape(value: unknown, what: string, maxNodes = MAX_JSON_NODES): void {
  const stack: [unknown, number][] = [[value, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (++nodes > maxNodes) tooLarge(what, maxNodes);
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) {
      throw errors.invalidArgument(
        `${what} is nested too deeply (more than ${MAX_JSON_DEPTH} levels)`,
      );
    }
    const children = Array.isArray(node) ? node : Object.values(node);
    if (nodes + stack.length + children.length > maxNodes) tooLarge(what, maxNodes);
    for (const child of children) stack.push([child, depth + 1]);
  }
}

function tooLarge(what: string, maxNodes: number): never {
  throw errors.invalidArgument(`${what} is too large (more than ${maxNodes} JSON values)`);
}

/** Parses with a zod schema; a failure becomes one INVALID_ARGUMENT naming where and what. */
export function parseOrThrow<T>(
  schema: z.ZodType<T>,
  value: unknown,
  what: string,
  maxNodes = MAX_JSON_NODES,
): T {
  checkJsonShape(value, what, maxNodes);
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidFromZod(result.error, value, what);
}

export function invalidFromZod(error: z.ZodError, input: unknown, what: string): WarmgateError {
  const issue = mostSpecific(error.issues[0], input);
  return errors.invalidArgument(`${what}${formatPath(issue.path)}: ${messageOf(issue, input)}`);
}

type Issue = z.core.$ZodIssue;

function messageOf(issue: Issue, input: unknown): string {
  if (
    issue.code === 'invalid_union' &&
    (issue as { note?: string }).note === 'No matching discriminator'
  ) {
    const options = (issue as { options?: unknown[] }).options ?? [];
    const got = valueAt(input, issue.path);
    return got === undefined
      ? `missing "indicator" (expected one of ${options.join(', ')})`
      : `unknown indicator ${show(got)} (expected one of ${options.join(', ')})`;
  }
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
    const kind = (valueAt(input, issue.path) as { indicator?: unknown } | undefined)?.indicator;
    const entry = indicatorCatalog.find((e) => e.name === kind);
    if (entry === undefined) return `unknown key ${keys}`;
    const allowed = ['indicator', ...Object.keys(entry.params), 'output'];
    return `unknown parameter ${keys} for ${entry.name} (it takes ${[...new Set(allowed)].join(', ')})`;
  }
  return issue.message;
}

/**
 * A union failure lists one issue list per branch. Report the branch that matched the input's
 * shape best (fewest issues about the value's own type, then the deepest issue), with the full
 * path, so "source.period: must be ≥ 1" wins over "source: expected a string".
 */
function mostSpecific(issue: Issue, input: unknown, prefix: PropertyKey[] = []): Issue {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { ...issue, path };
  // A string where a source was expected is almost always a mistyped price field: say so.
  if (typeof valueAt(input, path) === 'string') {
    const enumIssue = issue.errors
      .flat()
      .find((i) => i.code === 'invalid_value' && i.path.length === 0);
    if (enumIssue) return { ...enumIssue, path };
  }
  let best: Issue[] | undefined;
  let bestScore = -Infinity;
  for (const branch of issue.errors) {
    const rootMismatches = branch.filter(
      (i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value'),
    ).length;
    const deepest = Math.max(0, ...branch.map((i) => i.path.length));
    const score = -rootMismatches * 1000 + deepest;
    if (score > bestScore) [best, bestScore] = [branch, score];
  }
  const allMismatch = issue.errors.every((b) =>
    b.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value')),
  );
  if (allMismatch || best === undefined || best.length === 0) return { ...issue, path };
  return mostSpecific(best[0], input, path);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}
