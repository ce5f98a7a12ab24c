// Reading tool results in tests.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

export interface ToolOutcome {
  isError: boolean;
  text: string;
  data: Record<string, unknown>;
}

export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolOutcome> {
  const result = (await client.callTool({ name, arguments: args })) as {
    isError?: boolean;
    content: { type: string; text?: string }[];
    structuredContent?: Record<string, unknown>;
  };
  const text = result.content.map((c) => c.text ?? '').join('');
  return { isError: result.isError === true, text, data: result.structuredContent ?? {} };
}

export async function ok(client: Client, name: string, args: Record<string, unknown> = {}) {
  const outcome = await call(client, name, args);
  if (outcome.isError) throw new Error(`${name} failed: ${outcome.text}`);
  return outcome.data;
}

export async function readJson(client: Client, uri: string): Promise<unknown> {
  const result = await client.readResource({ uri });
  const first = result.contents[0] as { text?: string; mimeType?: string };
  return JSON.parse(first.text ?? 'null');
}

export function candles(
  count: number,
  start = 100,
): {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}[] {
  return Array.from({ length: count }, (_, i) => {
    const close = start + 10 * Math.sin(i / 5) + i * 0.1;
    return {
      time: 1_700_000_000_000 + i * 60_000,
      open: close - 0.5,
      high: close + 1,
      low: close - 1,
      close,
      volume: 1000 + i,
    };
  });
}
