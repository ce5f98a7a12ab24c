// Who may use a bound agent, per auth mode (DESIGN.md "Auth modes"): gateway and public
// modes — the gateway's assertion for this binding; direct mode — the client's own JWE
// credential, whose subject must be the bound user.
import { AuthMode, errors } from '@warmgate/proto';
import type { Binding } from '../server/agent-core.js';
import { ASSERTION_HEADER, verifyAssertion } from '@warmgate/contract/assertion';
import { CREDENTIAL_HEADER, type DirectVerifier } from '@warmgate/contract/direct-credential';

export type HeaderReader = (name: string) => string | undefined;

export async function authorize(
  header: HeaderReader,
  binding: Binding,
  direct: DirectVerifier,
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
  await verifyAssertion(header(ASSERTION_HEADER), binding);
}
