// Input limits, checked before anything runs, each with its own INVALID_ARGUMENT message.
import { errors } from '@warmgate/proto';
import type { JsonObject } from '../ports.js';

export interface SessionLimits {
  /** The longest user message, in characters. */
  readonly maxMessageChars: number;
  /** The largest argument object, serialised as JSON, in bytes. */
  readonly maxArgumentBytes: number;
  /** Per resource read, and per tool call when the core builds its own tool catalog, ms. */
  readonly toolTimeoutMs: number;
}

export const defaultLimits: SessionLimits = {
  maxMessageChars: 16_000,
  maxArgumentBytes: 64 * 1024,
  toolTimeoutMs: 30_000,
};

const maxToolNameChars = 128;
const maxUriChars = 2048;
const maxTurnIdChars = 64;
/** Resources one notification channel may subscribe to (the agent holds at most 256). */
const maxListenUris = 64;

export function checkListenUris(uris: readonly string[]): void {
  if (uris.length > maxListenUris) {
    throw errors.invalidArgument(
      `too many resource subscriptions: ${uris.length}, the limit is ${maxListenUris}`,
    );
  }
  for (const uri of uris) checkUri(uri);
}

export function checkMessageText(text: string, limits: SessionLimits): void {
  if (text.trim() === '') throw errors.invalidArgument('message text is empty');
  if (text.length > limits.maxMessageChars) {
    throw errors.invalidArgument(
      `message too long: ${text.length} characters, the limit is ${limits.maxMessageChars}`,
    );
  }
}

export function checkTurnId(turnId: string): void {
  if (turnId.length > maxTurnIdChars) {
    throw errors.invalidArgument(`turn id too long: the limit is ${maxTurnIdChars} characters`);
  }
}

export function checkToolName(name: string): void {
  if (name === '') throw errors.invalidArgument('tool name is empty');
  if (name.length > maxToolNameChars) {
    throw errors.invalidArgument(`tool name too long: the limit is ${maxToolNameChars} characters`);
  }
}

export function checkArguments(args: JsonObject, limits: SessionLimits): void {
  const size = Buffer.byteLength(JSON.stringify(args));
  if (size > limits.maxArgumentBytes) {
    throw errors.invalidArgument(
      `tool arguments too large: ${size} bytes, the limit is ${limits.maxArgumentBytes}`,
    );
  }
}

export function checkUri(uri: string): void {
  if (uri === '') throw errors.invalidArgument('resource uri is empty');
  if (uri.length > maxUriChars) {
    throw errors.invalidArgument(`resource uri too long: the limit is ${maxUriChars} characters`);
  }
  // MCP resource URIs are URIs (context://user-profile); anything else never reaches the agent.
  if (!URL.canParse(uri)) throw errors.invalidArgument('resource uri is not a valid URI');
}
