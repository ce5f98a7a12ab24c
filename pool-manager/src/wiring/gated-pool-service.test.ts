import { AuthMode, ErrorCode, poolv1, WarmgateError } from '@warmgate/proto';
import type { HandlerContext } from '@warmgate/proto/grpc';
import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { createGatedPoolService } from './gated-pool-service.js';

const context: HandlerContext = {
  headers: {},
  signal: new AbortController().signal,
  deadline: undefined,
  peer: 'test',
};

describe('createGatedPoolService on a standby', () => {
  const service = createGatedPoolService(() => undefined);

  it('refuses Acquire, Release, Touch and WatchState with UNAVAILABLE', async () => {
    const calls = [
      () =>
        service.acquire(
          create(poolv1.AcquireRequestSchema, {
            userId: 'a',
            tier: 'free',
            mode: AuthMode.GATEWAY,
          }),
          context,
        ),
      () => service.release(create(poolv1.ReleaseRequestSchema, { userId: 'a' }), context),
      () => service.touch(create(poolv1.TouchRequestSchema, { userId: 'a' }), context),
      async () => {
        for await (const update of service.watchState(
          create(poolv1.WatchStateRequestSchema, {}),
          context,
        )) {
          return update;
        }
        return undefined;
      },
    ];
    for (const call of calls) {
      const error = await call().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(WarmgateError);
      expect((error as WarmgateError).code).toBe(ErrorCode.UNAVAILABLE);
      expect((error as WarmgateError).message).toContain('not the leader');
    }
  });

  it('answers GetStatus with leader=false and an empty state', async () => {
    const status = await service.getStatus(create(poolv1.GetStatusRequestSchema, {}), context);
    expect(status.state).toMatchObject({ leader: false, bindings: 0, profiles: [] });
  });
});
