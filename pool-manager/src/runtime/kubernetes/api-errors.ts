import { ApiException } from '@kubernetes/client-node';
import { ErrorCode, WarmgateError } from '@warmgate/proto';

/**
 * Normalises a failed API server call, once, where it was caught. 409 (the resourceVersion
 * precondition failed) becomes ABORTED: someone else changed the object first. Authorisation
 * failures are the pool manager's own misconfiguration (RBAC), never a caller's fault.
 */
export function fromApiError(error: unknown, what: string): WarmgateError {
  if (error instanceof WarmgateError) return error;
  if (error instanceof ApiException) {
    const code = codeForStatus(error.code);
    return new WarmgateError(code, `${what}: API server answered ${error.code}${reason(error)}`, {
      cause: error,
    });
  }
  if (error instanceof TypeError) {
    // undici's fetch rejects with TypeError('fetch failed') when the connection fails.
    return new WarmgateError(ErrorCode.UNAVAILABLE, `${what}: ${error.message}`, { cause: error });
  }
  const normalised = WarmgateError.from(error);
  return new WarmgateError(normalised.code, `${what}: ${normalised.message}`, { cause: error });
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 404:
      return ErrorCode.NOT_FOUND;
    case 409:
      return ErrorCode.ABORTED;
    case 400:
    case 422:
      // The API server refused the object we built: a bad pod template in the configuration.
      return ErrorCode.FAILED_PRECONDITION;
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return ErrorCode.UNAVAILABLE;
    default:
      return ErrorCode.INTERNAL;
  }
}

function reason(error: ApiException<unknown>): string {
  const body = error.body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') return ` (${parsed.message})`;
    } catch {
      return '';
    }
  }
  if (body !== null && typeof body === 'object' && 'message' in body) {
    return ` (${String((body as { message: unknown }).message)})`;
  }
  return '';
}
