import { ErrorCode } from './gen/warmgate/common/v1/common_pb.js';
export { ErrorCode };

/**
 * The one error class of Warmgate. `code` is from the closed set {@link ErrorCode}; each edge
 * (gRPC, WebSocket, MCP) maps it to the wire in exactly one file.
 */
export class WarmgateError extends Error {
  override readonly name = 'WarmgateError';
  readonly code: ErrorCode;
  /** A refusal's retry hint (admission control); each edge puts it on the wire. */
  readonly retryAfterMs?: number;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.code = code === ErrorCode.UNSPECIFIED ? ErrorCode.UNKNOWN : code;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  /**
   * Normalises anything caught into a WarmgateError, once, at the place it was caught.
   * Aborts become CANCELLED (or DEADLINE_EXCEEDED for timeouts); anything unknown becomes
   * `fallback`, which defaults to INTERNAL: a catch-all never becomes a client-fault code.
   */
  static from(reason: unknown, fallback: ErrorCode = ErrorCode.INTERNAL): WarmgateError {
    if (reason instanceof WarmgateError) return reason;
    if (reason instanceof Error) {
      if (reason.name === 'TimeoutError') {
        return new WarmgateError(
          ErrorCode.DEADLINE_EXCEEDED,
          reason.message || 'deadline exceeded',
          {
            cause: reason,
          },
        );
      }
      if (reason.name === 'AbortError') {
        return new WarmgateError(ErrorCode.CANCELLED, reason.message || 'cancelled', {
          cause: reason,
        });
      }
      return new WarmgateError(fallback, reason.message, { cause: reason });
    }
    return new WarmgateError(fallback, String(reason), { cause: reason });
  }
}

/** The stable upper-case name of a code, e.g. "INVALID_ARGUMENT" (for logs and metric labels). */
export function codeName(code: ErrorCode): string {
  return ErrorCode[code] ?? 'UNKNOWN';
}

/** Parses a code name ("NOT_FOUND") or number; unknown input yields undefined. */
export function parseCode(value: string | number): ErrorCode | undefined {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value > 0 && value <= ErrorCode.UNAUTHENTICATED
      ? (value as ErrorCode)
      : undefined;
  }
  const code = (ErrorCode as unknown as Record<string, number | undefined>)[value];
  return typeof code === 'number' && code !== ErrorCode.UNSPECIFIED
    ? (code as ErrorCode)
    : undefined;
}

/** Shorthand constructors for the codes used most. */
export const errors = {
  invalidArgument: (message: string, cause?: unknown) =>
    new WarmgateError(ErrorCode.INVALID_ARGUMENT, message, { cause }),
  notFound: (message: string, cause?: unknown) =>
    new WarmgateError(ErrorCode.NOT_FOUND, message, { cause }),
  permissionDenied: (message: string, cause?: unknown) =>
    new WarmgateError(ErrorCode.PERMISSION_DENIED, message, { cause }),
  unauthenticated: (message: string, cause?: unknown) =>
    new WarmgateError(ErrorCode.UNAUTHENTICATED, message, { cause }),
  failedPrecondition: (message: string, cause?: unknown) =>
    new WarmgateError(ErrorCode.FAILED_PRECONDITION, message, { cause }),
  unavailable: (message: string, cause?: unknown) =>
    new WarmgateError(ErrorCode.UNAVAILABLE, message, { cause }),
  resourceExhausted: (message: string, cause?: unknown) =>
    new WarmgateError(ErrorCode.RESOURCE_EXHAUSTED, message, { cause }),
  deadlineExceeded: (message: string, cause?: unknown) =>
    new WarmgateError(ErrorCode.DEADLINE_EXCEEDED, message, { cause }),
  internal: (message: string, cause?: unknown) =>
    new WarmgateError(ErrorCode.INTERNAL, message, { cause }),
  cancelled: (message: string, cause?: unknown) =>
    new WarmgateError(ErrorCode.CANCELLED, message, { cause }),
};
