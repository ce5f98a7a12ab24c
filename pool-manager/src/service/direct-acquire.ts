// Direct mode: the pool manager holds the JWE key the gateway does not, so it verifies the
// client's credential before anything is acquired, and takes the user and the tier from the
// verified claims. Gateway and public acquires pass through unchanged (the gateway verified
// gateway-mode tokens; public ones carry no identity).
import type { DirectVerifier } from '@warmgate/contract';
import { AuthMode, errors } from '@warmgate/proto';

export interface DirectAcquireConfig {
  /** The claim holding the tier (e.g. `tier`). */
  readonly tierClaim: string;
  /** The tier of a credential without that claim. */
  readonly defaultTier: string;
}

export interface AcquireRequestView {
  readonly userId: string;
  readonly tier: string;
  readonly mode: AuthMode;
  readonly credential: string;
}

export type DirectAcquire = (request: AcquireRequestView) => Promise<{ tier: string }>;

export function createDirectAcquire(
  verifier: DirectVerifier,
  config: DirectAcquireConfig,
): DirectAcquire {
  return async (request) => {
    if (request.mode !== AuthMode.DIRECT) return { tier: request.tier };
    const { sub, claims } = await verifier.verifyClaims(request.credential || undefined);
    if (sub !== request.userId) {
      throw errors.permissionDenied('the credential was issued to another user');
    }
    const claimed = claims[config.tierClaim];
    return { tier: typeof claimed === 'string' && claimed !== '' ? claimed : config.defaultTier };
  };
}
