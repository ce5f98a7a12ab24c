// The three ways to reach the session core: in memory, over WebSocket, over gRPC.
import type { MessageInitShape } from '@bufbuild/protobuf';
import { gatewayv1 } from '@warmgate/proto';
import { createClient } from '@warmgate/proto/grpc';
import type { SessionCore } from '../../src/core/session/session-core.js';
import { AsyncQueue } from '../../src/core/session/async-queue.js';
import { connectMemory } from '../../src/transport/memory/memory-transport.js';
import { WsClient } from '../support/ws-client.js';
import { nextOf, type ConformanceClient, type ConformanceTransport } from './client.js';

type ChatInit = MessageInitShape<typeof gatewayv1.ChatRequestSchema>;
const message = (text: string, turnId = ''): ChatInit => ({
  kind: { case: 'message', value: { text, turnId } },
});
const cancel = (turnId = ''): ChatInit => ({ kind: { case: 'cancel', value: { turnId } } });

export function memoryTransport(core: SessionCore): ConformanceTransport {
  return {
    name: 'memory',
    async connect(token) {
      // Authentication happens at connect; a refusal surfaces on the first call, as elsewhere.
      const client = await connectMemory(core, token).catch((error: unknown) => error as Error);
      if (client instanceof Error) return failing(client);
      return {
        listTools: () => client.listTools(),
        callTool: (name, args) => client.callTool({ name, arguments: args }),
        readResource: (uri) => client.readResource({ uri }),
        chat() {
          const requests = new AsyncQueue<ChatInit>();
          const controller = new AbortController();
          return {
            send: (text, turnId) => requests.push(message(text, turnId)),
            cancel: (turnId) => requests.push(cancel(turnId)),
            next: nextOf(client.chat(requests, { signal: controller.signal })),
            close: () => {
              requests.end();
              controller.abort();
            },
          };
        },
        close: async () => client.close(),
      };
    },
    close: async () => undefined,
  };
}

export function wsTransport(baseUrl: string, binary = false): ConformanceTransport {
  let ids = 0;
  return {
    name: 'ws',
    async connect(token) {
      const ws = await WsClient.connect(baseUrl, { token, binary });
      const call = async (frame: Parameters<WsClient['request']>[0]) => ws.request(frame);
      return {
        async listTools() {
          const answer = await call({ id: `r${++ids}`, kind: { case: 'listTools', value: {} } });
          return answer.kind.value as gatewayv1.ListToolsResponse;
        },
        async callTool(name, args) {
          const answer = await call({
            id: `r${++ids}`,
            kind: { case: 'callTool', value: { name, arguments: args } },
          });
          return answer.kind.value as gatewayv1.CallToolResponse;
        },
        async readResource(uri) {
          const answer = await call({
            id: `r${++ids}`,
            kind: { case: 'readResource', value: { uri } },
          });
          return answer.kind.value as gatewayv1.ReadResourceResponse;
        },
        chat() {
          const id = `chat${++ids}`;
          const events = new AsyncQueue<gatewayv1.ChatResponse>();
          ws.listen(id, (frame) => {
            if (frame.kind.case === 'chat') events.push(frame.kind.value);
            else if (frame.kind.case === 'error') events.fail(new Error(frame.kind.value.message));
          });
          const send = (init: ChatInit) => ws.send({ id, kind: { case: 'chat', value: init } });
          return {
            send: (text, turnId) => send(message(text, turnId)),
            cancel: (turnId) => send(cancel(turnId)),
            next: nextOf(events),
            close: () => ws.send({ id, kind: { case: 'cancel', value: {} } }),
          };
        },
        close: async () => {
          await ws.close();
        },
      };
    },
    close: async () => undefined,
  };
}

export function grpcTransport(address: string): ConformanceTransport {
  const client = createClient(gatewayv1.Gateway, address);
  return {
    name: 'grpc',
    async connect(token) {
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      return {
        listTools: () => client.listTools({}, { headers }),
        callTool: (name, args) => client.callTool({ name, arguments: args }, { headers }),
        readResource: (uri) => client.readResource({ uri }, { headers }),
        chat() {
          const requests = new AsyncQueue<ChatInit>();
          const controller = new AbortController();
          return {
            send: (text, turnId) => requests.push(message(text, turnId)),
            cancel: (turnId) => requests.push(cancel(turnId)),
            next: nextOf(client.chat(requests, { headers, signal: controller.signal })),
            close: () => {
              requests.end();
              controller.abort();
            },
          };
        },
        close: async () => undefined,
      };
    },
    close: async () => client.close(),
  };
}

/** A client whose every call fails with the connect-time refusal. */
function failing(error: Error): ConformanceClient {
  const fail = () => Promise.reject(error);
  return {
    listTools: fail,
    callTool: fail,
    readResource: fail,
    chat: () => ({
      send: () => undefined,
      cancel: () => undefined,
      next: fail,
      close: () => undefined,
    }),
    close: async () => undefined,
  };
}
