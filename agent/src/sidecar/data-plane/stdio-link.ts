// The agent over stdio (the start contract without WARMGATE_AGENT_LISTEN): the sidecar starts
// the agent's command as its child, speaks newline-delimited JSON-RPC on its stdin/stdout, and
// offers the data plane the same AgentLink as over HTTP. It is the agent's one MCP client:
// it initializes once at start (that is the readiness), answers the gateway's `initialize`
// from that result with a session id of its own, maps request ids so that several gateway
// sessions share the one stdio session, and sends the agent's notifications to every open GET
// event stream. Requests from the agent (sampling, roots) are refused: no client offers them.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { errors } from '@warmgate/proto';
import { agentFault, type AgentLink, type AgentResponse } from './agent-link.js';
import type { JsonRpcMessage } from './mcp-messages.js';

const PROTOCOL_VERSION = '2025-06-18';

export interface StdioAgent {
  link: AgentLink;
  /** Resolves once the agent answered `initialize`; rejects when it exits or errs first. */
  ready: Promise<void>;
  /** Set once the agent process exited (the data plane reports it unhealthy). */
  exited(): string | undefined;
  stop(): Promise<void>;
}

export function startStdioAgent(
  command: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  timeoutMs: number,
): StdioAgent {
  const [file, ...args] = command;
  const child: ChildProcess = spawn(file!, args, {
    cwd,
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let gone: string | undefined;
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (message: JsonRpcMessage) => void; reject: (error: Error) => void }
  >();
  const streams = new Set<PassThrough>();
  const fail = (why: string) => {
    gone ??= why;
    for (const waiter of pending.values()) {
      waiter.reject(agentFault(errors.unavailable(`the agent process ${why}`)));
    }
    pending.clear();
    for (const stream of streams) stream.end();
  };
  child.once('error', (error) => fail(`could not start: ${error.message}`));
  child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`})`));
  child.stdin!.on('error', () => {}); // an exit shows through 'exit'
  const write = (message: JsonRpcMessage) => {
    if (gone) throw agentFault(errors.unavailable(`the agent process ${gone}`));
    child.stdin!.write(`${JSON.stringify(message)}\n`);
  };
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    let message: JsonRpcMessage;
    try {
      message = JSON.parse(line) as JsonRpcMessage;
    } catch {
      return; // not JSON-RPC: ignored (a stray print); a missing answer times out
    }
    if (typeof message.id === 'number' && message.method === undefined) {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      waiter?.resolve(message);
    } else if (message.method !== undefined && message.id !== undefined) {
      write({
        jsonrpc: '2.0',
        id: message.id,
        error: { code: -32601, message: `${message.method} is not offered by Warmgate` },
      });
    } else if (message.method !== undefined) {
      const event = `event: message\ndata: ${JSON.stringify(message)}\n\n`;
      for (const stream of streams) stream.write(event);
    }
  });

  const request = (message: JsonRpcMessage): Promise<JsonRpcMessage> => {
    const id = nextId++;
    return new Promise<JsonRpcMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(
          agentFault(errors.deadlineExceeded(`the agent did not answer within ${timeoutMs} ms`)),
        );
      }, timeoutMs);
      pending.set(id, {
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      try {
        write({ ...message, id });
      } catch (error) {
        pending.delete(id);
        clearTimeout(timer);
        reject(error as Error);
      }
    });
  };

  let initialized: JsonRpcMessage['result'];
  const ready = request({
    jsonrpc: '2.0',
    method: 'initialize',
    params: {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'warmgate-sidecar', version: '0.1.0' },
    },
  }).then((answer) => {
    if (!answer.result) {
      throw agentFault(
        errors.unavailable(`the agent refused initialize: ${answer.error?.message}`),
      );
    }
    initialized = answer.result;
    write({ jsonrpc: '2.0', method: 'notifications/initialized' });
  });
  ready.catch(() => {});

  const json = (status: number, body: unknown, extra: IncomingHttpHeaders = {}): AgentResponse => {
    const text = body === undefined ? '' : JSON.stringify(body);
    return {
      status,
      headers: { 'content-type': 'application/json', ...extra },
      body: Buffer.from(text),
    };
  };

  const link: AgentLink = {
    async call(_method, headers, body) {
      await ready;
      let message: JsonRpcMessage;
      try {
        message = JSON.parse(body.toString('utf8')) as JsonRpcMessage;
      } catch {
        return json(400, {
          jsonrpc: '2.0',
          id: null,
          error: { code: -32700, message: 'parse error' },
        });
      }
      if (message.method === 'initialize') {
        return json(
          200,
          { jsonrpc: '2.0', id: message.id, result: initialized },
          { 'mcp-session-id': headers['mcp-session-id'] ?? randomUUID() },
        );
      }
      if (message.id === undefined) {
        // A notification (initialized is the sidecar's own business, already sent).
        if (message.method !== 'notifications/initialized') write(message);
        return { status: 202, headers: {}, body: Buffer.alloc(0) };
      }
      const answer = await request(message);
      return json(200, { ...answer, id: message.id });
    },
    async open(method) {
      await ready;
      const stream = Object.assign(new PassThrough(), {
        statusCode: method === 'GET' ? 200 : 200,
        headers: method === 'GET' ? { 'content-type': 'text/event-stream' } : {},
      });
      if (method === 'GET' && !gone) {
        streams.add(stream);
        stream.once('close', () => streams.delete(stream));
      } else {
        stream.end();
      }
      return stream as unknown as IncomingMessage;
    },
    close: () => {
      for (const stream of streams) stream.end();
    },
  };

  return {
    link,
    ready,
    exited: () => gone,
    async stop() {
      if (gone) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
