// Small readers for platform tool arguments. The JSON Schemas tell the model what to send;
// these check what actually arrived and fail with INVALID_ARGUMENT naming the argument.
import { errors } from '@warmgate/proto';
import type { JsonObject } from '../core/ports.js';

export function readString(args: JsonObject, key: string, options: { max: number }): string {
  const value = args[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw errors.invalidArgument(`argument "${key}" must be a non-empty string`);
  }
  if (value.length > options.max) {
    throw errors.invalidArgument(`argument "${key}" is longer than ${options.max} characters`);
  }
  return value;
}

export function readOptionalString(
  args: JsonObject,
  key: string,
  options: { max: number },
): string | undefined {
  return args[key] === undefined ? undefined : readString(args, key, options);
}

export function readInteger(
  args: JsonObject,
  key: string,
  options: { min: number; max: number; fallback: number },
): number {
  const value = args[key];
  if (value === undefined) return options.fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw errors.invalidArgument(`argument "${key}" must be an integer`);
  }
  if (value < options.min || value > options.max) {
    throw errors.invalidArgument(
      `argument "${key}" must be between ${options.min} and ${options.max}`,
    );
  }
  return value;
}

/** An instant as an ISO 8601 string or ms since the epoch. */
export function readOptionalTime(args: JsonObject, key: string): number | undefined {
  const value = args[key];
  if (value === undefined) return undefined;
  const time =
    typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(time)) {
    throw errors.invalidArgument(
      `argument "${key}" must be an ISO 8601 time or milliseconds since the epoch`,
    );
  }
  return time;
}

export function readEnum<T extends string>(
  args: JsonObject,
  key: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = args[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw errors.invalidArgument(`argument "${key}" must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}
