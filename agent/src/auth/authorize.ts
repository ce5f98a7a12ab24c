// Who may use a bound agent, per auth mode (DESIGN.md "Auth modes"): gateway and public
// modes — the gateway's assertion for this binding; direct mode — the client's own JWE
// credential, whose subject must be the bound user.
import { AuthMode, errors } from '@warmgate/proto';
import type { Binding } from '../server/agent-core.js';
import { ASSERTION_HEADER, verifyAssertion } from '@warmgate/contract/assertion';
import { CREDENTIAL_HEADER, type DirectVerifier } from '@warmgate/contract/direct-credential';

export type HeaderReader = (name: string) => string | undefined;

/** Assertions already verified, per binding: token → its expiry (ms since the epoch). */
const verified = new WeakMap<Binding, Map<string, number>>();
/** The gateway re-uses one assertion for half its lifetime: a few per binding at most. */
const MAX_REMEMBERED = 16;

export async function authorize(
  header: HeaderReader,
  binding: Binding,
  direct: DirectVerifier,
  now: number = Date.now(),
): Promise<void> {
  if (binding.mode === AuthMode.DIRECT) {
    const subject = await direct.verify(header(CREDENTIAL_HEADER));
    if (subject !== binding.userId) {
      throw errors.permissionDenied(
        'credential is for another user than the one this agent serves',
      );
    }
    return;
  }
  const token = header(ASSERTION_HEADER);
  // A token this binding verified stays good until it expires: its signature, audience,
  // subject and lifetime cannot change, so only the clock is checked again (verifying the
  // HS256 signature on every request was a large share of a cheap call's CPU).
  let remembered = verified.get(binding);
  const expiresAt = token === undefined ? undefined : remembered?.get(token);
  if (expiresAt !== undefined && now < expiresAt) return;
  const { expiresAtS } = await verifyAssertion(token, binding, now);
  if (!remembered) verified.set(binding, (remembered = new Map()));
  if (remembered.size >= MAX_REMEMBERED) remembered.clear();
  remembered.set(token!, expiresAtS * 1000);
}
