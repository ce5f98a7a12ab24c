// Tool-call arguments arrive from two untrusted places: a client's CallTool request and the
// model's generated JSON. Both must be one JSON object of bounded size before anything runs.
import { errors } from '@warmgate/proto';
import type { JsonObject } from '../ports.js';

/** The largest serialised argument object accepted (64 KiB). */
export const maxArgumentBytes = 64 * 1024;

/** Parses the model's raw argument text; empty text means "no arguments". */
export function parseToolArguments(raw: string, max = maxArgumentBytes): JsonObject {
  if (raw.length > max) {
    throw errors.invalidArgument(`tool arguments are ${raw.length} bytes, more than ${max}`);
  }
  if (raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (cause) {
    throw errors.invalidArgument('tool arguments are not valid JSON', cause);
  }
  return checkToolArguments(value, max);
}

/** Checks an already-decoded value: a plain JSON object whose serialised form fits `max`. */
export function checkToolArguments(value: unknown, max = maxArgumentBytes): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.invalidArgument('tool arguments must be a JSON object');
  }
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(value));
  } catch (cause) {
    throw errors.invalidArgument('tool arguments are not serialisable as JSON', cause);
  }
  if (size > max) {
    throw errors.invalidArgument(`tool arguments are ${size} bytes, more than ${max}`);
  }
  return value as JsonObject;
}
