// The world the isolation matrix attacks: a real split stack with two victims whose data
// carries unguessable secrets — alice (gateway mode) and dave (direct mode) — and two
// attackers with valid credentials of their own — mallory (gateway) and eve (direct).
import { randomBytes } from 'node:crypto';
import type { JsonObject } from '@bufbuild/protobuf';
import { AuthMode, poolv1 } from '@warmgate/proto';
import { jwt } from '../support/tokens.js';
import { grpcCaller, wsCaller, type Caller, type Outcome } from '../reliability/support/callers.js';
import { startSplitStack, type SplitStack } from '../reliability/support/split-stack.js';

export interface Victim {
  readonly userId: string;
  readonly mode: AuthMode;
  readonly token: string;
  /** Strings that appear only in this victim's data. */
  readonly secrets: readonly string[];
  binding: poolv1.Binding;
}

export interface World {
  readonly stack: SplitStack;
  readonly callers: Record<'ws' | 'grpc', Caller>;
  readonly alice: Victim;
  readonly dave: Victim;
  /** Valid tokens of the attackers. */
  readonly mallory: string;
  readonly eve: string;
  /** The attackers' own bindings (their assertion keys are "bind credentials" to replay). */
  malloryBinding: poolv1.Binding;
  eveBinding: poolv1.Binding;
  close(): Promise<void>;
}

async function plant(caller: Caller, token: string, secret: string, what: string) {
  const must = (outcome: Outcome) => {
    if (!outcome.ok) throw new Error(`planting ${what} failed: ${outcome.code} ${outcome.message}`);
  };
  must(await caller.callTool(token, 'profile_update', { display_name: secret } as JsonObject));
  must(await caller.callTool(token, 'system_prompt_set', { text: `${secret}-prompt` }));
  must(await caller.chat(token, `remember ${secret}-chat`));
}

export async function makeWorld(): Promise<World> {
  const stack = await startSplitStack({
    poolEnv: {
      WARMGATE_POOL_PROFILES: 'standard:min=2:max=14',
      WARMGATE_POOL_PUBLIC_IDLE_TIMEOUT: '3s',
      WARMGATE_POOL_REAP_INTERVAL: '1s',
    },
  });
  try {
    const callers = {
      ws: wsCaller(stack.gateway.baseUrl),
      grpc: grpcCaller(stack.gateway.grpcAddress),
    };
    const tag = randomBytes(6).toString('hex');
    const alice = { userId: 'alice', mode: AuthMode.GATEWAY, token: await jwt({ sub: 'alice' }) };
    const dave = {
      userId: 'dave',
      mode: AuthMode.DIRECT,
      token: await stack.keys.credential('dave'),
    };
    const aliceSecret = `alice-secret-${tag}`;
    const daveSecret = `dave-secret-${tag}`;
    await plant(callers.grpc, alice.token, aliceSecret, 'alice');
    await plant(callers.grpc, dave.token, daveSecret, 'dave');
    const mallory = await jwt({ sub: 'mallory' });
    const eve = await stack.keys.credential('eve');
    // The attackers use the stack once, so they have bindings (and keys) of their own.
    for (const token of [mallory, eve]) await callers.grpc.callTool(token, 'profile_get', {});
    const pool = stack.poolClient();
    // GetStatus never hands out an assertion key, so the keys come from Acquire, asked the way
    // the gateway asks (with the Pool secret), for bindings that already exist.
    const status = async (userId: string) => {
      const direct = userId === 'dave' || userId === 'eve';
      const { binding, source } = await pool.acquire({
        userId,
        tier: direct ? 'enterprise' : 'free',
        mode: direct ? AuthMode.DIRECT : AuthMode.GATEWAY,
        // The pool manager acquires in direct mode only for a credential it verified.
        ...(direct ? { credential: userId === 'dave' ? dave.token : eve } : {}),
      });
      if (!binding || source !== poolv1.AcquireSource.EXISTING) {
        throw new Error(`${userId} is not bound`);
      }
      return binding;
    };
    const world: World = {
      stack,
      callers,
      alice: { ...alice, secrets: secretsOf(aliceSecret), binding: await status('alice') },
      dave: { ...dave, secrets: secretsOf(daveSecret), binding: await status('dave') },
      mallory,
      eve,
      malloryBinding: await status('mallory'),
      eveBinding: await status('eve'),
      async close() {
        callers.grpc.close();
        await stack.close();
      },
    };
    return world;
  } catch (error) {
    await stack.close();
    throw error;
  }
}

function secretsOf(secret: string): string[] {
  return [secret, `${secret}-prompt`, `${secret}-chat`];
}
