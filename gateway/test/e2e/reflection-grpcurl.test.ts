// gRPC reflection as a new user meets it: grpcurl (built from the Go module proxy by
// tools/go-tools.sh) with NO .proto files lists, describes and calls the services on the
// gateway's port (Gateway, Health) and on the pool manager's (Pool, Health) of the stack
// exactly as `npm start` runs it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goTool } from '../support/go-tool.js';
import { startStack, type StackProcess } from '../support/stack-process.js';
import { jwt, testAudience, testIssuer, testSecret } from '../support/tokens.js';

const run = promisify(execFile);
let grpcurl: string;
let stack: StackProcess;
// The Pool API authenticates its caller (the gateway); reflection and health do not.
const poolSecret = 'reflection-test-pool-secret-'.padEnd(40, 'x');

async function curl(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(grpcurl, ['-plaintext', '-max-time', '20', ...args]);
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`grpcurl ${args.join(' ')} failed:\n${stderr}\n${stdout}`, { cause: error });
  }
}

beforeAll(async () => {
  grpcurl = await goTool('grpcurl');
  stack = await startStack({
    WARMGATE_AUTH_HS256_SECRET: testSecret,
    WARMGATE_AUTH_ISSUER: testIssuer,
    WARMGATE_AUTH_AUDIENCE: testAudience,
    WARMGATE_POOL_SECRET: poolSecret,
  });
}, 600_000);

afterAll(async () => {
  const code = await stack?.stop();
  expect(code, stack?.output()).toBe(0);
});

describe('the gateway port', () => {
  it('lists Gateway, Health and reflection', async () => {
    const services = (await curl(stack.grpcAddress, 'list')).trim().split('\n').sort();
    expect(services).toEqual([
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
      'warmgate.gateway.v1.Gateway',
    ]);
    expect(await curl(stack.grpcAddress, 'list', 'warmgate.gateway.v1.Gateway')).toBe(
      [
        'warmgate.gateway.v1.Gateway.CallTool',
        'warmgate.gateway.v1.Gateway.Chat',
        'warmgate.gateway.v1.Gateway.ListTools',
        'warmgate.gateway.v1.Gateway.ReadResource',
        '',
      ].join('\n'),
    );
  });

  it('describes types from other files (common.v1.Error, google.protobuf.Struct)', async () => {
    const chat = await curl(stack.grpcAddress, 'describe', 'warmgate.gateway.v1.ChatResponse');
    expect(chat).toContain('.warmgate.common.v1.Error error = ');
    expect(await curl(stack.grpcAddress, 'describe', 'warmgate.common.v1.Error')).toContain(
      'message Error {',
    );
    const call = await curl(stack.grpcAddress, 'describe', 'warmgate.gateway.v1.CallToolRequest');
    expect(call).toContain('.google.protobuf.Struct arguments = ');
    expect(await curl(stack.grpcAddress, 'describe', 'grpc.health.v1.Health')).toContain(
      'rpc Check ( .grpc.health.v1.HealthCheckRequest ) returns ( .grpc.health.v1.HealthCheckResponse );',
    );
  });

  it('calls Health/Check and an authenticated Gateway/ListTools', async () => {
    const health = JSON.parse(await curl(stack.grpcAddress, 'grpc.health.v1.Health/Check')) as {
      status: string;
    };
    expect(health.status).toBe('SERVING');
    const token = await jwt({ sub: 'reflection-user' });
    const tools = JSON.parse(
      await curl(
        '-H',
        `authorization: Bearer ${token}`,
        '-d',
        '{}',
        stack.grpcAddress,
        'warmgate.gateway.v1.Gateway/ListTools',
      ),
    ) as { tools: { name: string }[] };
    expect(tools.tools.map((tool) => tool.name)).toContain('market_quote');
  }, 60_000);

  it('answers an unknown symbol with NOT_FOUND, not a broken descriptor', async () => {
    await expect(curl(stack.grpcAddress, 'describe', 'warmgate.nope.Missing')).rejects.toThrow(
      /Symbol not found|not found/i,
    );
  });
});

describe('the pool manager port', () => {
  it('lists Pool, Health and reflection', async () => {
    const services = (await curl(stack.poolAddress, 'list')).trim().split('\n').sort();
    expect(services).toEqual([
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
      'warmgate.pool.v1.Pool',
    ]);
  });

  it('describes Pool with its messages', async () => {
    const pool = await curl(stack.poolAddress, 'describe', 'warmgate.pool.v1.Pool');
    expect(pool).toContain('rpc GetStatus ( .warmgate.pool.v1.GetStatusRequest )');
    expect(await curl(stack.poolAddress, 'describe', 'warmgate.pool.v1.AcquireResponse')).toContain(
      'message AcquireResponse {',
    );
  });

  it('calls Health/Check and Pool/GetStatus', async () => {
    const health = JSON.parse(await curl(stack.poolAddress, 'grpc.health.v1.Health/Check')) as {
      status: string;
    };
    expect(health.status).toBe('SERVING');
    const status = await curl(
      '-H',
      `authorization: Bearer ${poolSecret}`,
      '-d',
      '{}',
      stack.poolAddress,
      'warmgate.pool.v1.Pool/GetStatus',
    );
    expect(JSON.parse(status)).toBeTypeOf('object');
    await expect(
      curl('-d', '{}', stack.poolAddress, 'warmgate.pool.v1.Pool/GetStatus'),
    ).rejects.toThrow(/Unauthenticated/);
  });
});
