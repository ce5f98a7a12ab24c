import { AuthMode, ErrorCode, WarmgateError } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../core/ports.js';
import { createAdmission, type AdmissionConfig } from './admission.js';

const config: AdmissionConfig = {
  connections: { ws: { max: 3, perIp: 2 }, grpc: { max: 1, perIp: 1 } },
  requests: { perSecond: 2, burst: 2 },
  turns: { perSecond: 1 / 60, burst: 1 },
  llm: { dailyTokensByTier: { free: 100, '*': 0 }, publicDailyTokens: 10 },
  publicChat: true,
};

const principal = (userId: string, mode = AuthMode.GATEWAY, tier = 'free'): Principal => ({
  sessionId: `s-${userId}`,
  userId,
  tier,
  mode,
});

function refusal(run: () => unknown): WarmgateError {
  try {
    run();
  } catch (error) {
    return error as WarmgateError;
  }
  throw new Error('expected a refusal');
}

describe('admission', () => {
  it('caps connections per IP and in total, and gives slots back on release', () => {
    const admission = createAdmission(config);
    const a = admission.connection('ws', '192.0.2.1');
    const b = admission.connection('ws', '192.0.2.1');
    const perIp = admission.connection('ws', '192.0.2.1');
    expect(perIp).toBeInstanceOf(WarmgateError);
    expect(perIp).toMatchObject({ code: ErrorCode.RESOURCE_EXHAUSTED, retryAfterMs: 1000 });
    const c = admission.connection('ws', '192.0.2.2');
    expect(admission.connection('ws', '192.0.2.3')).toMatchObject({
      code: ErrorCode.RESOURCE_EXHAUSTED,
      message: expect.stringContaining('on this gateway'),
    });
    // Transports are counted apart.
    expect(admission.connection('grpc', '192.0.2.3')).not.toBeInstanceOf(WarmgateError);
    for (const ticket of [a, b, c]) if (!(ticket instanceof WarmgateError)) ticket.release();
    if (!(a instanceof WarmgateError)) a.release(); // twice is harmless
    expect(admission.openConnections('ws')).toBe(0);
  });

  it('limits requests per principal with a token bucket and says when to retry', () => {
    let now = 1_000_000;
    const admission = createAdmission(config, () => now);
    const alice = principal('alice');
    admission.request(alice, 'ws');
    admission.request(alice, 'ws');
    const refused = refusal(() => admission.request(alice, 'ws'));
    expect(refused).toMatchObject({ code: ErrorCode.RESOURCE_EXHAUSTED, retryAfterMs: 500 });
    admission.request(principal('bob'), 'ws'); // another principal has its own bucket
    now += 500;
    admission.request(alice, 'grpc');
  });

  it('limits chat turns and spends the tier budget per user per UTC day', () => {
    let now = Date.UTC(2026, 0, 1, 12);
    const admission = createAdmission({ ...config, turns: { perSecond: 0, burst: 1 } }, () => now);
    const alice = principal('alice');
    admission.turn(alice);
    admission.chargeLlm(alice, 100);
    const spent = refusal(() => admission.turn(alice));
    expect(spent).toMatchObject({ code: ErrorCode.RESOURCE_EXHAUSTED });
    expect(spent.retryAfterMs).toBe(12 * 3_600_000);
    admission.turn(principal('bob'));
    admission.turn(principal('carol', AuthMode.GATEWAY, 'enterprise')); // '*' = 0: no limit
    now += 12 * 3_600_000;
    admission.turn(alice);
  });

  it('counts every anonymous session against one shared budget', () => {
    const admission = createAdmission({ ...config, turns: { perSecond: 0, burst: 1 } });
    admission.chargeLlm(principal('public-1', AuthMode.PUBLIC), 10);
    expect(refusal(() => admission.turn(principal('public-2', AuthMode.PUBLIC)))).toMatchObject({
      code: ErrorCode.RESOURCE_EXHAUSTED,
    });
  });

  it('refuses anonymous chat when it is off, whatever the budget', () => {
    const admission = createAdmission({ ...config, publicChat: false });
    expect(refusal(() => admission.turn(principal('public-1', AuthMode.PUBLIC)))).toMatchObject({
      code: ErrorCode.PERMISSION_DENIED,
    });
    admission.turn(principal('alice'));
  });

  it('takes one turn token per turn', () => {
    const admission = createAdmission(config, () => 0);
    admission.turn(principal('alice'));
    expect(refusal(() => admission.turn(principal('alice')))).toMatchObject({
      code: ErrorCode.RESOURCE_EXHAUSTED,
      retryAfterMs: 60_000,
    });
  });
});
