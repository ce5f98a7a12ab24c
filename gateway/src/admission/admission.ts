// Admission control: who may open a connection, send a request or start a chat turn, and
// whether their LLM budget for the day has room. Pure bookkeeping on an injected clock — the
// transports call it (connections, requests) and the turn runner is wrapped by it (turns, LLM
// tokens); it opens no socket. Every refusal is RESOURCE_EXHAUSTED with a retry hint, except
// anonymous chat when it is off (PERMISSION_DENIED: waiting will not help), and is counted in
// warmgate_gateway_admission_refusals{transport,reason}.
import { AuthMode, ErrorCode, WarmgateError } from '@warmgate/proto';
import type { Principal } from '../core/ports.js';
import { gatewayMetrics } from '../telemetry/metrics.js';
import { ConnectionCaps, type ConnectionCapsConfig, type Ticket } from './connection-caps.js';
import { LlmBudget, PUBLIC_BUDGET_KEY, type LlmBudgetConfig } from './llm-budget.js';
import { KeyedRateLimiter, type RateSpec } from './rate-limits.js';

export interface AdmissionConfig {
  readonly connections: { readonly ws: ConnectionCapsConfig; readonly grpc: ConnectionCapsConfig };
  /** Requests (tool calls, tool lists, resource reads, chat streams) per principal; 0/s = off. */
  readonly requests: RateSpec;
  /** Chat turns per principal; 0/s = off. */
  readonly turns: RateSpec;
  readonly llm: LlmBudgetConfig;
  /** False: anonymous sessions cannot chat (tools and resources stay open to them). */
  readonly publicChat: boolean;
}

export type AdmissionTransport = 'ws' | 'grpc';
/** Transports whose requests are rate-limited (MCP over HTTP has no connection caps). */
export type RequestTransport = AdmissionTransport | 'mcp';
export type RefusalReason =
  | 'connections_global'
  | 'connections_per_ip'
  | 'requests'
  | 'turns'
  | 'llm_budget'
  | 'public_chat_off';

export interface Admission {
  /** A ticket to give back on close, or the refusal to send (close 1013 / gRPC status). */
  connection(transport: AdmissionTransport, ip: string): Ticket | WarmgateError;
  /** Throws the refusal when the principal is over its request rate. */
  request(principal: Principal, transport: RequestTransport): void;
  /** Throws the refusal when the principal may not start a chat turn now. */
  turn(principal: Principal): void;
  /** Counts the tokens a turn's model requests used. */
  chargeLlm(principal: Principal, tokens: number): void;
  /** Open connections per transport (for tests and the bench). */
  openConnections(transport: AdmissionTransport): number;
}

export function createAdmission(config: AdmissionConfig, now: () => number = Date.now): Admission {
  const caps = {
    ws: new ConnectionCaps(config.connections.ws),
    grpc: new ConnectionCaps(config.connections.grpc),
  };
  const requests = new KeyedRateLimiter(config.requests);
  const turns = new KeyedRateLimiter(config.turns);
  const budget = new LlmBudget(config.llm);

  const refuse = (
    transport: RequestTransport | 'any',
    reason: RefusalReason,
    message: string,
    retryAfterMs?: number,
  ) => {
    gatewayMetrics().admissionRefusals.add(1, { transport, reason });
    const code =
      reason === 'public_chat_off' ? ErrorCode.PERMISSION_DENIED : ErrorCode.RESOURCE_EXHAUSTED;
    return new WarmgateError(
      code,
      message,
      retryAfterMs === undefined ? undefined : { retryAfterMs },
    );
  };
  const keyOf = (p: Principal) => `${p.mode}:${p.userId}`;
  const budgetKeyOf = (p: Principal) => (p.mode === AuthMode.PUBLIC ? PUBLIC_BUDGET_KEY : keyOf(p));

  return {
    connection(transport, ip) {
      const ticket = caps[transport].admit(ip);
      if (typeof ticket !== 'string') return ticket;
      const limit = ticket === 'connections_global' ? 'on this gateway' : 'from your address';
      return refuse(transport, ticket, `too many open connections ${limit}; retry later`, 1000);
    },

    request(principal, transport) {
      if (config.requests.perSecond === 0) return;
      const wait = requests.take(keyOf(principal), now());
      if (wait > 0) {
        throw refuse(
          transport,
          'requests',
          `request rate over ${config.requests.perSecond}/s; retry in ${wait} ms`,
          wait,
        );
      }
    },

    turn(principal) {
      if (principal.mode === AuthMode.PUBLIC && !config.publicChat) {
        throw refuse('any', 'public_chat_off', 'chat needs a signed-in user on this gateway');
      }
      const spent = budget.check(budgetKeyOf(principal), principal.tier, now());
      if (spent > 0) {
        throw refuse(
          'any',
          'llm_budget',
          `the day's LLM token budget of tier ${principal.tier} is spent; it resets at 00:00 UTC`,
          spent,
        );
      }
      if (config.turns.perSecond === 0) return;
      const wait = turns.take(keyOf(principal), now());
      if (wait > 0) {
        throw refuse('any', 'turns', `too many chat turns; retry in ${wait} ms`, wait);
      }
    },

    chargeLlm(principal, tokens) {
      budget.charge(budgetKeyOf(principal), tokens, now());
    },

    openConnections: (transport) => caps[transport].size,
  };
}
