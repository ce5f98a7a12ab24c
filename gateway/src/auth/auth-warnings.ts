// Start-up warnings about an authentication set-up that works but is weaker than it looks.
import { gatewayModeEnabled, type AuthConfig } from '../config.js';

export function authWarnings(auth: AuthConfig): string[] {
  if (!gatewayModeEnabled(auth)) return [];
  const warnings: string[] = [];
  if (auth.issuer === undefined) {
    warnings.push(
      'WARMGATE_AUTH_ISSUER is unset: tokens from any issuer that shares the key are accepted',
    );
  }
  if (auth.audience === undefined) {
    warnings.push(
      'WARMGATE_AUTH_AUDIENCE is unset: tokens minted for other services with the same key are accepted',
    );
  }
  return warnings;
}
