// Reading the agent's MCP answers without the MCP SDK: a Streamable HTTP POST is answered with
// one JSON message or an SSE stream of them (notifications first, the response last).
export interface JsonRpcMessage {
  jsonrpc?: string;
  id?: string | number | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

/** The messages of an answer body; undefined when it is neither JSON nor SSE of JSON. */
export function messagesOf(contentType: string, body: Buffer): JsonRpcMessage[] | undefined {
  const text = body.toString('utf8');
  try {
    if (contentType.startsWith('text/event-stream')) {
      const messages: JsonRpcMessage[] = [];
      for (const event of text.split(/\r?\n\r?\n/)) {
        const data = event
          .split(/\r?\n/)
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).replace(/^ /, ''))
          .join('\n');
        if (data !== '') messages.push(JSON.parse(data) as JsonRpcMessage);
      }
      return messages;
    }
    const parsed = JSON.parse(text) as JsonRpcMessage | JsonRpcMessage[];
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return undefined;
  }
}

/** The response to request `id` among `messages`, if there is one. */
export function responseTo(
  messages: readonly JsonRpcMessage[],
  id: JsonRpcMessage['id'],
): JsonRpcMessage | undefined {
  return messages.find(
    (message) => message.id === id && (message.result !== undefined || message.error !== undefined),
  );
}

/** One request (not a notification, not a batch) in a POST body; undefined otherwise. */
export function singleRequest(body: unknown): JsonRpcMessage | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const message = body as JsonRpcMessage;
  return typeof message.method === 'string' && message.id !== undefined ? message : undefined;
}

/** `tools/list` results: which tools say `readOnlyHint: true`. */
export function readOnlyHints(result: Record<string, unknown> | undefined): Map<string, boolean> {
  const hints = new Map<string, boolean>();
  const tools = result?.tools;
  if (!Array.isArray(tools)) return hints;
  for (const tool of tools as { name?: unknown; annotations?: { readOnlyHint?: unknown } }[]) {
    if (typeof tool?.name === 'string') {
      hints.set(tool.name, tool.annotations?.readOnlyHint === true);
    }
  }
  return hints;
}

/** Messages back into a body of the same kind (SSE events or one JSON message). */
export function encodeMessages(contentType: string, messages: readonly JsonRpcMessage[]): Buffer {
  if (contentType.startsWith('text/event-stream')) {
    return Buffer.from(
      messages.map((message) => `event: message\ndata: ${JSON.stringify(message)}\n\n`).join(''),
    );
  }
  return Buffer.from(JSON.stringify(messages.length === 1 ? messages[0] : messages));
}
