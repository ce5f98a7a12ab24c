// What counts as "a specific error or a valid answer" for a fuzz case.
import { ErrorCode, codeName } from '@warmgate/proto';

/** Codes that say nothing specific about the input: a fuzz case must never get these. */
const unspecific = new Set<ErrorCode>([
  ErrorCode.UNSPECIFIED,
  ErrorCode.UNKNOWN,
  ErrorCode.INTERNAL,
]);

/** Throws (failing the property) unless the error has a specific code and a message. */
export function expectSpecificError(code: ErrorCode, message: string, input: unknown): void {
  if (unspecific.has(code) || message.trim() === '') {
    throw new Error(`unspecific error ${codeName(code)} "${message}" for input ${describe(input)}`);
  }
}

export function describe(input: unknown): string {
  const text =
    typeof input === 'string'
      ? JSON.stringify(input)
      : input instanceof Uint8Array
        ? `bytes ${Buffer.from(input).toString('hex')}`
        : JSON.stringify(input, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Generous bound on growth of the server's resident memory over a whole suite. */
export const rssGrowthLimitBytes = 160 * 1024 * 1024;
