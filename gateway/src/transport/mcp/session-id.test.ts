import { AuthMode } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import { createSessionIds, userHash, type McpSessionClaims } from './session-id.js';

const claims: McpSessionClaims = {
  sid: 'b4f0c3d2-0000-4000-8000-000000000001',
  version: '2025-11-25',
  mode: AuthMode.GATEWAY,
  userHash: userHash('alice'),
  tier: 'pro',
  expiresAt: 10_000,
};

describe('MCP session ids', () => {
  it('another replica with the same secret opens what one minted', () => {
    const id = createSessionIds('s'.repeat(32), () => 0).mint(claims);
    expect(createSessionIds('s'.repeat(32), () => 0).open(id)).toEqual({
      ...claims,
      publicUser: undefined,
    });
    expect(id).not.toContain('alice');
  });

  it('refuses another secret, an altered payload, garbage and an expired id', () => {
    const ids = createSessionIds('s'.repeat(32), () => 0);
    const id = ids.mint(claims);
    expect(createSessionIds('t'.repeat(32), () => 0).open(id)).toBeUndefined();
    const [payload, mac] = id.split('.');
    const altered = Buffer.from(
      Buffer.from(payload!, 'base64url').toString().replace('"pro"', '"max"'),
    ).toString('base64url');
    expect(ids.open(`${altered}.${mac}`)).toBeUndefined();
    for (const junk of ['', '.', 'a.b.c', 'x'.repeat(5000), `${payload}.`]) {
      expect(ids.open(junk)).toBeUndefined();
    }
    expect(createSessionIds('s'.repeat(32), () => 10_000).open(id)).toBeUndefined();
  });
});
