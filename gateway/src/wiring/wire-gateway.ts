// Builds the gateway's session core from its configuration: the real implementations of
// every port (auth, platform tools, model + turn loop, pool client + MCP connector).
import type { GatewayConfig } from '../config.js';
import { budgetedTurns, createAdmission, type Admission } from '../admission/index.js';
import { createAuthenticator } from '../auth/authenticator.js';
import { createSessionCore, type SessionCore } from '../core/session/session-core.js';
import { createToolCatalog } from '../core/tools/index.js';
import { createTurnRunner } from '../core/turn/index.js';
import { createModel } from '../llm/index.js';
import { createPlatformTools } from '../platform/index.js';
import { poolv1 } from '@warmgate/proto';
import { bearerHeaders, createClient } from '@warmgate/proto/grpc';
import { createAgentConnector } from '../upstream/index.js';

export interface WiredGateway {
  readonly core: SessionCore;
  /** The model answering turns ("offline" without an LLM endpoint). */
  readonly modelName: string;
  /** Connection caps, request and turn rates, LLM budgets: the transports consult it. */
  readonly admission: Admission;
  /** True when the pool manager answers. */
  ready(): Promise<boolean>;
  /** Closes the MCP sessions and the pool client. */
  close(): Promise<void>;
}

export function wireGateway(config: GatewayConfig): WiredGateway {
  const platform = createPlatformTools();
  // The catalog owns the tool timeout for the LLM loop and CallTool alike.
  const catalog = createToolCatalog(platform, { toolTimeoutMs: config.limits.toolTimeoutMs });
  const model = createModel(config.llm);
  const admission = createAdmission(config.admission);
  const runner = createTurnRunner({
    model,
    platform,
    catalog,
    maxToolRounds: config.llm.maxToolRounds,
    turnTimeoutMs: config.llm.turnTimeoutMs,
  });
  const turns = budgetedTurns(runner, admission);
  // One Pool client: the connector acquires through it, readiness asks it for the status.
  const pool = createClient(poolv1.Pool, config.poolAddress, {
    ...(config.poolSecret === undefined ? {} : { headers: bearerHeaders(config.poolSecret) }),
  });
  const agents = createAgentConnector({ pool, callTimeoutMs: config.limits.toolTimeoutMs });
  const core = createSessionCore({
    authenticator: createAuthenticator(config.auth),
    agents,
    platform,
    catalog,
    turns,
    limits: config.limits,
  });
  return {
    core,
    modelName: model.name,
    admission,
    ready: () =>
      pool.getStatus({}, { timeoutMs: 2_000 }).then(
        () => true,
        () => false,
      ),
    async close() {
      await agents.close();
      pool.close();
    },
  };
}
