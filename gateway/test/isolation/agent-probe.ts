// Reaching an agent without the gateway: an MCP initialize request sent straight to the
// agent's endpoint with whatever credentials an attacker could put together.
export interface ProbeResult {
  readonly status: number;
  readonly body: string;
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'intruder', version: '0.0.0' },
  },
};

export async function probeAgent(
  url: string,
  headers: Record<string, string>,
): Promise<ProbeResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(initialize),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.text()).slice(0, 300) };
}
