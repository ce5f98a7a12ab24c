// A gateway built from the real parts (auth, platform tools, offline model, turn loop, MCP
// connector) with the test limits, listening on ephemeral loopback ports. `poolAddress` is
// the pool manager to use; tests that never reach an agent may point it nowhere.
import { loadConfig, type GatewayConfig, type LimitsConfig } from '../../src/config.js';
import { startGatewayServers, type GatewayServers } from '../../src/wiring/gateway-servers.js';
import { wireGateway, type WiredGateway } from '../../src/wiring/wire-gateway.js';
import { OPEN_ADMISSION_ENV, TEST_POOL_SECRET } from '@warmgate/testkit';
import { testLimits } from './test-config.js';
import { testAudience, testIssuer, testSecret } from './tokens.js';

export interface TestGateway {
  readonly config: GatewayConfig;
  readonly wired: WiredGateway;
  readonly servers: GatewayServers;
  readonly baseUrl: string;
  readonly grpcAddress: string;
  close(): Promise<void>;
}

/** The environment of a test gateway: loopback, ephemeral ports, HS256 test tokens. */
export function testGatewayEnv(
  poolAddress: string,
  env: Record<string, string> = {},
): Record<string, string> {
  return {
    WARMGATE_HOST: '127.0.0.1',
    WARMGATE_HTTP_PORT: '0',
    WARMGATE_GRPC_PORT: '0',
    WARMGATE_POOL_ADDRESS: poolAddress,
    WARMGATE_POOL_SECRET: TEST_POOL_SECRET,
    WARMGATE_AUTH_HS256_SECRET: testSecret,
    WARMGATE_AUTH_ISSUER: testIssuer,
    WARMGATE_AUTH_AUDIENCE: testAudience,
    WARMGATE_DRAIN_TIMEOUT_S: '1',
    ...OPEN_ADMISSION_ENV,
    ...env,
  };
}

export function testGatewayConfig(
  poolAddress: string,
  env: Record<string, string> = {},
  limits: Partial<LimitsConfig> = {},
): GatewayConfig {
  const config = loadConfig(testGatewayEnv(poolAddress, env));
  return { ...config, limits: { ...testLimits, ...limits } };
}

export async function startTestGateway(
  poolAddress: string,
  env: Record<string, string> = {},
  limits: Partial<LimitsConfig> = {},
): Promise<TestGateway> {
  const config = testGatewayConfig(poolAddress, env, limits);
  const wired = wireGateway(config);
  const servers = await startGatewayServers({
    core: wired.core,
    admission: wired.admission,
    config,
    ready: wired.ready,
    scrape: async () => '# no metrics in tests\n',
  });
  return {
    config,
    wired,
    servers,
    baseUrl: `http://127.0.0.1:${servers.httpPort}`,
    grpcAddress: `127.0.0.1:${servers.grpcPort}`,
    async close() {
      await servers.close();
      await wired.close();
    },
  };
}
