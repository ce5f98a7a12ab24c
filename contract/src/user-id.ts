// The user-id rule: any id an identity provider may issue ("auth0|123", an e-mail) is a valid
// user id (the store maps ids to safe file names itself); only the empty, the huge and the
// unprintable are refused. The gateway caps the length of the ids it reads from tokens, the
// pool manager refuses an invalid id on acquire, and the agent on bind.
import { errors } from '@warmgate/proto';

export const MAX_USER_ID_LENGTH = 256;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** The rule as a predicate (the pool manager's acquire check). */
export function isValidUserId(userId: string): boolean {
  return (
    userId.length > 0 && userId.length <= MAX_USER_ID_LENGTH && !CONTROL_CHARACTERS.test(userId)
  );
}

/** Throws INVALID_ARGUMENT for ids no user can have (empty, too long, control characters). */
export function validateUserId(userId: string): void {
  if (userId.length === 0) throw errors.invalidArgument('user id is empty');
  if (userId.length > MAX_USER_ID_LENGTH) {
    throw errors.invalidArgument(
      `user id is ${userId.length} characters long (at most ${MAX_USER_ID_LENGTH})`,
    );
  }
  if (CONTROL_CHARACTERS.test(userId)) {
    throw errors.invalidArgument('user id contains control characters');
  }
}
