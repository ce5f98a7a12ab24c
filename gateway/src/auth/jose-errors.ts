// jose's failures, turned into the specific refusals a client can act on. Anything not
// recognised is still UNAUTHENTICATED (it is a token we could not accept), with jose's
// reason attached as the cause for the logs.
import { errors as jose } from 'jose';
import { errors, type WarmgateError } from '@warmgate/proto';

export function refusalFromJose(error: unknown): WarmgateError {
  if (error instanceof jose.JWTExpired) return errors.unauthenticated('token expired', error);
  if (error instanceof jose.JWSSignatureVerificationFailed) {
    return errors.unauthenticated('signature invalid', error);
  }
  if (error instanceof jose.JWTClaimValidationFailed) {
    const claim = error.claim;
    if (claim === 'iss') return errors.unauthenticated('issuer mismatch', error);
    if (claim === 'aud') return errors.unauthenticated('audience mismatch', error);
    if (claim === 'nbf') return errors.unauthenticated('token not yet valid', error);
    if (claim === 'iat') return errors.unauthenticated('token issued in the future', error);
    if (claim === 'exp' && error.reason === 'missing') {
      return errors.unauthenticated('token has no expiry ("exp" is required)', error);
    }
    return errors.unauthenticated(`token claim "${claim}" invalid: ${error.reason}`, error);
  }
  if (error instanceof jose.JOSEAlgNotAllowed) {
    return errors.unauthenticated('token algorithm not allowed', error);
  }
  if (error instanceof jose.JWKSNoMatchingKey) {
    return errors.unauthenticated('no key in the JWKS matches the token', error);
  }
  if (error instanceof jose.JWSInvalid || error instanceof jose.JWTInvalid) {
    return errors.unauthenticated('token malformed', error);
  }
  return errors.unauthenticated('token rejected', error);
}
