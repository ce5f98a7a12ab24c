import { status as GrpcStatus, type ServiceError, Metadata } from '@grpc/grpc-js';
import { ErrorCode, WarmgateError } from '../errors.js';

// The one place where Warmgate error codes meet gRPC status codes, both ways.

export function toGrpcStatus(code: ErrorCode): GrpcStatus {
  switch (code) {
    case ErrorCode.CANCELLED:
      return GrpcStatus.CANCELLED;
    case ErrorCode.UNKNOWN:
      return GrpcStatus.UNKNOWN;
    case ErrorCode.INVALID_ARGUMENT:
      return GrpcStatus.INVALID_ARGUMENT;
    case ErrorCode.DEADLINE_EXCEEDED:
      return GrpcStatus.DEADLINE_EXCEEDED;
    case ErrorCode.NOT_FOUND:
      return GrpcStatus.NOT_FOUND;
    case ErrorCode.ALREADY_EXISTS:
      return GrpcStatus.ALREADY_EXISTS;
    case ErrorCode.PERMISSION_DENIED:
      return GrpcStatus.PERMISSION_DENIED;
    case ErrorCode.RESOURCE_EXHAUSTED:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case ErrorCode.FAILED_PRECONDITION:
      return GrpcStatus.FAILED_PRECONDITION;
    case ErrorCode.ABORTED:
      return GrpcStatus.ABORTED;
    case ErrorCode.OUT_OF_RANGE:
      return GrpcStatus.OUT_OF_RANGE;
    case ErrorCode.UNIMPLEMENTED:
      return GrpcStatus.UNIMPLEMENTED;
    case ErrorCode.UNAVAILABLE:
      return GrpcStatus.UNAVAILABLE;
    case ErrorCode.DATA_LOSS:
      return GrpcStatus.DATA_LOSS;
    case ErrorCode.UNAUTHENTICATED:
      return GrpcStatus.UNAUTHENTICATED;
    case ErrorCode.INTERNAL:
    case ErrorCode.UNSPECIFIED:
    default:
      return GrpcStatus.INTERNAL;
  }
}

export function fromGrpcStatus(status: GrpcStatus): ErrorCode {
  switch (status) {
    case GrpcStatus.CANCELLED:
      return ErrorCode.CANCELLED;
    case GrpcStatus.UNKNOWN:
      return ErrorCode.UNKNOWN;
    case GrpcStatus.INVALID_ARGUMENT:
      return ErrorCode.INVALID_ARGUMENT;
    case GrpcStatus.DEADLINE_EXCEEDED:
      return ErrorCode.DEADLINE_EXCEEDED;
    case GrpcStatus.NOT_FOUND:
      return ErrorCode.NOT_FOUND;
    case GrpcStatus.ALREADY_EXISTS:
      return ErrorCode.ALREADY_EXISTS;
    case GrpcStatus.PERMISSION_DENIED:
      return ErrorCode.PERMISSION_DENIED;
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return ErrorCode.RESOURCE_EXHAUSTED;
    case GrpcStatus.FAILED_PRECONDITION:
      return ErrorCode.FAILED_PRECONDITION;
    case GrpcStatus.ABORTED:
      return ErrorCode.ABORTED;
    case GrpcStatus.OUT_OF_RANGE:
      return ErrorCode.OUT_OF_RANGE;
    case GrpcStatus.UNIMPLEMENTED:
      return ErrorCode.UNIMPLEMENTED;
    case GrpcStatus.UNAVAILABLE:
      return ErrorCode.UNAVAILABLE;
    case GrpcStatus.DATA_LOSS:
      return ErrorCode.DATA_LOSS;
    case GrpcStatus.UNAUTHENTICATED:
      return ErrorCode.UNAUTHENTICATED;
    case GrpcStatus.INTERNAL:
    case GrpcStatus.OK:
    default:
      return ErrorCode.INTERNAL;
  }
}

/** Anything thrown by a handler, as the error object grpc-js sends as the call's status. */
export function toServiceError(reason: unknown): Partial<ServiceError> {
  const error = WarmgateError.from(reason);
  const metadata = new Metadata();
  if (error.retryAfterMs !== undefined) {
    // Both spellings: grpc-retry-pushback-ms is what gRPC retry policies read (gRFC A6),
    // retry-after (whole seconds) what people and HTTP tooling read.
    const ms = Math.max(0, Math.ceil(error.retryAfterMs));
    metadata.set('grpc-retry-pushback-ms', String(ms));
    metadata.set('retry-after', String(Math.ceil(ms / 1000)));
  }
  return { code: toGrpcStatus(error.code), details: error.message, metadata };
}

/** The retry hint a failed call's trailers carry, in ms. */
function retryAfterOf(candidate: Partial<ServiceError>): number | undefined {
  const raw = candidate.metadata?.get('grpc-retry-pushback-ms')[0];
  const ms = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** A failed call's error, as a WarmgateError with the peer's code and message. */
export function fromServiceError(reason: unknown): WarmgateError {
  if (reason instanceof WarmgateError) return reason;
  const candidate = reason as Partial<ServiceError> | undefined;
  if (candidate && typeof candidate.code === 'number') {
    return new WarmgateError(
      fromGrpcStatus(candidate.code),
      candidate.details ?? candidate.message ?? '',
      { cause: reason, retryAfterMs: retryAfterOf(candidate) },
    );
  }
  return WarmgateError.from(reason);
}
