// A gateway built from the real parts (auth, platform tools, offline model, turn loop, MCP
// connector) with the test limits, listening on ephemeral loopback ports. `poolAddress` is
// the pool manager to use; tests that never reach an agent may point it nowhere.
import { loadConfig, type GatewayConfig, type LimitsConfig } from '../../src/config.js';
import { startGatewayServers, type GatewayServers } from '../../src/wiring/gateway-servers.js';
import { wireGateway, type WiredGateway } from '../../src/wiring/wire-gateway.js';
import { TEST_POOL_SECRET } from '../../../pool-manager/test/support.js';
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

export function testGatewayConfig(
  poolAddress: string,
  env: Record<string, string> = {},
  limits: Partial<LimitsConfig> = {},
): GatewayConfig {
  const config = loadConfig({
    WARMGATE_HOST: '127.0.0.1',
    WARMGATE_HTTP_PORT: '0',
    WARMGATE_GRPC_PORT: '0',
    WARMGATE_POOL_ADDRESS: poolAddress,
    WARMGATE_POOL_SECRET: TEST_POOL_SECRET,
    WARMGATE_AUTH_HS256_SECRET: testSecret,
    WARMGATE_AUTH_ISSUER: testIssuer,
    WARMGATE_AUTH_AUDIENCE: testAudience,
    WARMGATE_DRAIN_TIMEOUT_S: '1',
    // Many requests and turns per user in seconds, and anonymous chat through a scripted
    // ("paid") model; admission is tested on its own (gateway/test/security/, test/llm/).
    WARMGATE_PUBLIC_CHAT: 'true',
    WARMGATE_RATE_REQUESTS_PER_S: '100000',
    WARMGATE_RATE_REQUESTS_BURST: '100000',
    WARMGATE_RATE_TURNS_PER_MIN: '100000',
    WARMGATE_RATE_TURNS_BURST: '100000',
    ...env,
  });
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
