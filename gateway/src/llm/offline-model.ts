// The offline model: answers when no LLM endpoint is configured, deterministically, so the
// whole stack works (and is testable) on one machine with no network. It understands three
// things: `/tools` (or "list tools"), `/call <tool> <json>` — a real tool call through the
// loop, reported to the client like any other — and `/help`. Anything else gets a plain
// statement that no model is configured and how to configure one.
import { WarmgateError } from '@warmgate/proto';
import type {
  Model,
  ModelEvent,
  ModelMessage,
  ModelRequest,
  ModelTool,
} from '../core/turn/index.js';

/** Characters per streamed delta: small, so clients see streaming even offline. */
const deltaChars = 24;
/** Characters of a tool result repeated back to the user. */
const summaryChars = 2_000;

export const offlineModelName = 'offline';

export function createOfflineModel(): Model {
  return {
    name: offlineModelName,
    async *stream(request) {
      for (const event of answer(request)) {
        // A macrotask between deltas: the client sees tokens arrive, and a cancel gets in.
        await new Promise((resolve) => setImmediate(resolve));
        if (request.signal.aborted) throw WarmgateError.from(request.signal.reason);
        yield event;
      }
    },
  };
}

function answer(request: ModelRequest): ModelEvent[] {
  const last = request.messages.at(-1);
  if (last?.role === 'tool') return text(summarise(request.messages));
  const input = last?.role === 'user' ? last.content.trim() : '';
  const command = /^\/call\s+(\S+)\s*([\s\S]*)$/.exec(input);
  if (command) {
    const [, name, json] = command;
    return [
      { type: 'tool_call', call: { id: 'offline-call-1', name: name!, arguments: json!.trim() } },
    ];
  }
  if (/^(\/tools|list tools)$/i.test(input)) return text(listTools(request.tools));
  if (/^\/help$/i.test(input)) return text(help());
  return text(
    `No language model is configured on this gateway, so I can only run commands.\n\n${help()}`,
  );
}

function help(): string {
  return [
    'Commands: /tools lists the tools; /call <tool> <json arguments> runs one, e.g.',
    '/call market_quote {"symbol":"AAPL"}',
    '',
    'To talk to a real model, start the gateway with WARMGATE_LLM_BASE_URL (any',
    'OpenAI-compatible endpoint, e.g. https://api.openai.com/v1), WARMGATE_LLM_API_KEY and',
    'WARMGATE_LLM_MODEL set.',
  ].join('\n');
}

function listTools(tools: readonly ModelTool[]): string {
  if (tools.length === 0) return 'No tools are available to this session.';
  const lines = tools.map((tool) => `- ${tool.name}: ${firstLine(tool.description)}`);
  return `${tools.length} tools are available:\n${lines.join('\n')}\n\nRun one with /call <tool> <json arguments>.`;
}

/** Summarises the results of the tool calls of the last assistant message. */
function summarise(messages: readonly ModelMessage[]): string {
  const lines: string[] = [];
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    if (message.role !== 'tool') break;
    const call = findCall(messages, message.toolCallId);
    const body =
      message.content.length > summaryChars
        ? `${message.content.slice(0, summaryChars)}\n[... cut]`
        : message.content;
    const failed = body.startsWith('Error:');
    lines.unshift(`Tool ${call ?? 'call'} ${failed ? 'failed' : 'returned'}:\n${body}`);
  }
  return lines.join('\n\n');
}

function findCall(messages: readonly ModelMessage[], id: string): string | undefined {
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    const call = message.toolCalls.find((c) => c.id === id);
    if (call) return call.name;
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

/** Splits text into small deltas on word boundaries where it can. */
function text(value: string): ModelEvent[] {
  const out: ModelEvent[] = [];
  let rest = value;
  while (rest.length > 0) {
    let cut = rest.length <= deltaChars ? rest.length : rest.lastIndexOf(' ', deltaChars) + 1;
    if (cut <= 0) cut = Math.min(deltaChars, rest.length);
    out.push({ type: 'text', text: rest.slice(0, cut) });
    rest = rest.slice(cut);
  }
  return out;
}
