import { describe, expect, it } from 'vitest';
import { ErrorCode, WarmgateError } from '@warmgate/proto';
import { MAX_USER_ID_LENGTH, isValidUserId, validateUserId } from './user-id.js';

const codeOf = (userId: string) => {
  try {
    validateUserId(userId);
    return 'ok';
  } catch (error) {
    return WarmgateError.from(error).code;
  }
};

describe('the user-id rule', () => {
  it('the predicate and the validator agree: only empty, too long and control characters are refused', () => {
    const cases: [string, boolean][] = [
      ['alice', true],
      ['auth0|123', true],
      ['bob@example.com', true],
      ['x'.repeat(MAX_USER_ID_LENGTH), true],
      ['', false],
      ['x'.repeat(MAX_USER_ID_LENGTH + 1), false],
      ['a\nb', false],
      ['a\u007fb', false],
    ];
    for (const [userId, valid] of cases) {
      expect(isValidUserId(userId)).toBe(valid);
      expect(codeOf(userId)).toBe(valid ? 'ok' : ErrorCode.INVALID_ARGUMENT);
    }
  });
});
