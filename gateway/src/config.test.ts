import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('gateway configuration: admission', () => {
  it('has safe defaults', () => {
    const config = loadConfig({});
    expect(config.admission.connections.ws).toEqual({ max: 10_000, perIp: 100 });
    expect(config.admission.requests).toEqual({ perSecond: 50, burst: 100 });
    expect(config.admission.llm.dailyTokensByTier).toMatchObject({ free: 200_000, '*': 200_000 });
    expect(config.llm.maxTokens).toBe(4096);
    expect(config.grpc.maxConcurrentStreams).toBe(100);
    // The offline model costs nothing: anonymous chat stays on...
    expect(config.admission.publicChat).toBe(true);
  });

  it('turns anonymous chat off with a paid model unless asked', () => {
    const paid = { WARMGATE_LLM_BASE_URL: 'https://llm.test/v1', WARMGATE_LLM_API_KEY: 'k' };
    expect(loadConfig(paid).admission.publicChat).toBe(false);
    expect(loadConfig({ ...paid, WARMGATE_PUBLIC_CHAT: 'true' }).admission.publicChat).toBe(true);
  });

  it('names every bad admission setting', () => {
    let message = '';
    try {
      loadConfig({
        WARMGATE_LLM_DAILY_TOKENS: 'free=lots',
        WARMGATE_PUBLIC_CHAT: 'maybe',
        WARMGATE_WS_MAX_CONNECTIONS_PER_IP: '0',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of [
      'WARMGATE_LLM_DAILY_TOKENS',
      'WARMGATE_PUBLIC_CHAT',
      'WARMGATE_WS_MAX_CONNECTIONS_PER_IP',
    ]) {
      expect(message).toContain(name);
    }
  });
});

describe('gateway configuration: MCP', () => {
  it('limits requests in flight per MCP session, 16 by default, and names a bad setting', () => {
    expect(loadConfig({}).mcp.maxInFlight).toBe(16);
    expect(loadConfig({ WARMGATE_MCP_MAX_IN_FLIGHT: '4' }).mcp.maxInFlight).toBe(4);
    expect(() => loadConfig({ WARMGATE_MCP_MAX_IN_FLIGHT: '0' })).toThrow(
      /WARMGATE_MCP_MAX_IN_FLIGHT/,
    );
  });
});
