// The WebSocket edge's mapping of errors, in one place. Per-request failures travel as error
// frames carrying the ErrorCode itself; a failure that ends the whole connection closes the
// socket with the code below and the reason "<CODE_NAME>: <message>".
import { codeName, ErrorCode, type WarmgateError } from '@warmgate/proto';

export const CloseCode = {
  /** The client or server ended the session normally. */
  normal: 1000,
  /** The server is shutting down (drain). */
  goingAway: 1001,
  /** Authentication failed or was refused; the reason says why. Do not retry unchanged. */
  policyViolation: 1008,
  /** A frame larger than WARMGATE_MAX_FRAME_BYTES (after an error frame saying so). */
  messageTooBig: 1009,
  /** A server fault. */
  internalError: 1011,
  /**
   * Try again later: the client did not read fast enough (its buffer passed the limit), or the
   * server is overloaded. Reconnect with backoff.
   */
  tryAgainLater: 1013,
} as const;

/** The close code for a connection-level failure. Exhaustive; unknown codes are INTERNAL. */
export function closeCodeFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.UNAUTHENTICATED:
    case ErrorCode.PERMISSION_DENIED:
    case ErrorCode.INVALID_ARGUMENT:
    case ErrorCode.FAILED_PRECONDITION:
    case ErrorCode.OUT_OF_RANGE:
      return CloseCode.policyViolation;
    case ErrorCode.RESOURCE_EXHAUSTED:
    case ErrorCode.UNAVAILABLE:
    case ErrorCode.DEADLINE_EXCEEDED:
    case ErrorCode.ABORTED:
      return CloseCode.tryAgainLater;
    case ErrorCode.CANCELLED:
      return CloseCode.normal;
    case ErrorCode.NOT_FOUND:
    case ErrorCode.ALREADY_EXISTS:
    case ErrorCode.UNIMPLEMENTED:
    case ErrorCode.UNKNOWN:
    case ErrorCode.INTERNAL:
    case ErrorCode.DATA_LOSS:
    case ErrorCode.UNSPECIFIED:
      return CloseCode.internalError;
    default: {
      const unhandled: never = code;
      void unhandled;
      return CloseCode.internalError;
    }
  }
}

/** A close reason within the protocol's 123-byte limit. */
export function closeReason(error: WarmgateError): string {
  const reason = `${codeName(error.code)}: ${error.message}`;
  const bytes = Buffer.from(reason);
  return bytes.length <= 123
    ? reason
    : `${bytes
        .subarray(0, 120)
        .toString()
        .replace(/\uFFFD+$/, '')}...`;
}
