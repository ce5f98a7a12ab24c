// The principal as admission must count it. A direct-mode principal carries the tier of its
// JWE's protected header, which the gateway cannot verify (whoever encrypts the JWE writes
// that header); its agent session knows the tier the pool manager bound it at, taken from
// claims it verified. Every other principal was verified by the gateway itself.
import { AuthMode } from '@warmgate/proto';
import type { AgentHandle, Principal } from '../ports.js';

export function verifiedPrincipal(principal: Principal, agent: AgentHandle): Principal {
  if (principal.mode !== AuthMode.DIRECT || agent.tier === principal.tier) return principal;
  return { ...principal, tier: agent.tier };
}
