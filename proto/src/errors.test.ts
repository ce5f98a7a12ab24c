import { describe, expect, it } from 'vitest';
import { ErrorCode, WarmgateError, codeName, parseCode } from './errors.js';

describe('WarmgateError', () => {
  it('keeps code, message and cause', () => {
    const cause = new Error('disk full');
    const error = new WarmgateError(ErrorCode.RESOURCE_EXHAUSTED, 'store is full', { cause });
    expect(error.code).toBe(ErrorCode.RESOURCE_EXHAUSTED);
    expect(error.message).toBe('store is full');
    expect(error.cause).toBe(cause);
  });

  it('normalises unknown errors to INTERNAL, never to a client-fault code', () => {
    expect(WarmgateError.from(new TypeError('x')).code).toBe(ErrorCode.INTERNAL);
    expect(WarmgateError.from('a string').code).toBe(ErrorCode.INTERNAL);
    expect(WarmgateError.from(undefined).code).toBe(ErrorCode.INTERNAL);
  });

  it('normalises aborts and timeouts', () => {
    expect(WarmgateError.from(new DOMException('stop', 'AbortError')).code).toBe(
      ErrorCode.CANCELLED,
    );
    expect(WarmgateError.from(new DOMException('late', 'TimeoutError')).code).toBe(
      ErrorCode.DEADLINE_EXCEEDED,
    );
  });

  it('returns a WarmgateError as it is', () => {
    const error = new WarmgateError(ErrorCode.NOT_FOUND, 'gone');
    expect(WarmgateError.from(error)).toBe(error);
  });

  it('never carries UNSPECIFIED', () => {
    expect(new WarmgateError(ErrorCode.UNSPECIFIED, 'x').code).toBe(ErrorCode.UNKNOWN);
  });

  it('names and parses codes', () => {
    expect(codeName(ErrorCode.PERMISSION_DENIED)).toBe('PERMISSION_DENIED');
    expect(parseCode('NOT_FOUND')).toBe(ErrorCode.NOT_FOUND);
    expect(parseCode(16)).toBe(ErrorCode.UNAUTHENTICATED);
    expect(parseCode('UNSPECIFIED')).toBeUndefined();
    expect(parseCode('nonsense')).toBeUndefined();
    expect(parseCode(17)).toBeUndefined();
  });
});

describe('runtime', () => {
  it('runs on Node 22 LTS, brought by the project', () => {
    expect(process.versions.node.split('.')[0]).toBe('22');
  });
});
