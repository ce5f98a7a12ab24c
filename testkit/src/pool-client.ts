// The Pool API as the gateway calls it, for tests that act as an insider.
import { poolv1 } from '@warmgate/proto';
import { bearerHeaders, createClient } from '@warmgate/proto/grpc';
import { TEST_POOL_SECRET } from './test-env.js';

export type PoolClient = ReturnType<typeof createClient<typeof poolv1.Pool>>;

/** A Pool client as the gateway is one: it sends the deployment secret. */
export function poolClient(address: string, secret = TEST_POOL_SECRET): PoolClient {
  return createClient(poolv1.Pool, address, { headers: bearerHeaders(secret) });
}

/** Warm containers of a profile, as GetStatus reports them. */
export async function warmCount(client: PoolClient, profile = 'standard'): Promise<number> {
  const { state } = await client.getStatus({});
  return state?.profiles.find((p) => p.profile === profile)?.warm ?? 0;
}
