// A trading terminal on gRPC (warmgate.gateway.v1.Gateway): direct CallTool and ReadResource,
// and Chat turns over the bidirectional stream. The proto files are the repository's own.
import grpc from 'k6/net/grpc';
import { check } from 'k6';
import { setTimeout, clearTimeout } from 'k6/timers';
import { grpcTarget, protoRoot } from './env.js';
import { tokenFor } from './jwt.js';
import { chatTurn, chatFirstEvent, outcome, readResource, toolCall } from './metrics.js';
import { chatPrompts, directCalls, pick, profileUri } from './prompts.js';

const service = 'warmgate.gateway.v1.Gateway';

/** Must run in the init context (top level of a script): k6 loads protos only there. */
export function newGatewayClient() {
  const client = new grpc.Client();
  client.load([protoRoot], 'warmgate/gateway/v1/gateway.proto');
  return client;
}

/** One VU = one terminal = one user; connects on first use. */
export class Terminal {
  constructor(client, userId) {
    this.client = client;
    this.userId = userId;
    this.connected = false;
  }

  params(tags) {
    const token = tokenFor(this.userId);
    const metadata = token ? { authorization: `Bearer ${token}` } : {};
    return { metadata, tags, timeout: '15s' };
  }

  ensureConnected() {
    if (this.connected) return;
    this.client.connect(grpcTarget, { plaintext: true, timeout: '10s' });
    this.connected = true;
  }

  callTool(index, tags = {}) {
    this.ensureConnected();
    const started = Date.now();
    const response = this.client.invoke(
      `${service}/CallTool`,
      pick(directCalls, index),
      this.params(tags),
    );
    toolCall.add(Date.now() - started, tags);
    const good = check(response, {
      'CallTool status OK': (r) => r && r.status === grpc.StatusOK,
      'CallTool result is not an error': (r) => r && r.message && !r.message.isError,
    });
    return outcome('grpc_call_tool', good, describe(response));
  }

  readProfile(tags = {}) {
    this.ensureConnected();
    const started = Date.now();
    const response = this.client.invoke(
      `${service}/ReadResource`,
      { uri: profileUri },
      this.params(tags),
    );
    readResource.add(Date.now() - started, tags);
    const good = check(response, {
      'ReadResource status OK': (r) => r && r.status === grpc.StatusOK,
      'ReadResource returned contents': (r) =>
        r && r.message && (r.message.contents || []).length > 0,
    });
    return outcome('grpc_read_resource', good, describe(response));
  }

  /** One chat turn on a fresh Chat stream; resolves when the turn ended. */
  async chat(index, tags = {}) {
    this.ensureConnected();
    const started = Date.now();
    const turn = await chatOnce(this.client, this.params(tags), pick(chatPrompts, index));
    chatTurn.add(Date.now() - started, tags);
    if (turn.firstEventMs !== undefined) chatFirstEvent.add(turn.firstEventMs, tags);
    const good = check(turn, {
      'gRPC chat turn ended with a final answer': (t) => !t.error && t.text.length > 0,
      'gRPC chat turn ran its tool': (t) => t.toolResults.length === 1,
    });
    return outcome('grpc_chat_turn', good, turn.error);
  }
}

/**
 * Binds an agent to each user before the measured part (terminals log in before the market
 * opens): one ListTools per user, from k6's setup(). Returns how many failed.
 */
export function bindUsers(client, userIds) {
  client.connect(grpcTarget, { plaintext: true, timeout: '10s' });
  let failed = 0;
  for (const userId of userIds) {
    const token = tokenFor(userId);
    const response = client.invoke(
      `${service}/ListTools`,
      {},
      { metadata: token ? { authorization: `Bearer ${token}` } : {}, timeout: '60s' },
    );
    if (!response || response.status !== grpc.StatusOK) {
      failed++;
      console.warn(`binding ${userId} failed: ${describe(response)}`);
    }
  }
  client.close();
  return failed;
}

function chatOnce(client, params, text, timeoutMs = 15000) {
  return new Promise((resolve) => {
    const started = Date.now();
    const turn = { toolResults: [], text: '', error: undefined, firstEventMs: undefined };
    const stream = new grpc.Stream(client, `${service}/Chat`, params);
    let done = false;
    const timer = setTimeout(() => finish('no final answer in time'), timeoutMs);
    function finish(error) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream.end();
      resolve({ ...turn, error });
    }
    stream.on('data', (event) => {
      if (turn.firstEventMs === undefined) turn.firstEventMs = Date.now() - started;
      if (event.toolCallFinished) turn.toolResults.push(event.toolCallFinished);
      if (event.final) {
        turn.text = event.final.text || '';
        finish(undefined);
      }
      if (event.error) finish(`${event.error.code}: ${event.error.message}`);
    });
    stream.on('error', (error) =>
      finish(`stream error: ${error.message || JSON.stringify(error)}`),
    );
    stream.on('end', () => finish('stream ended before the final answer'));
    stream.write({ message: { text } });
  });
}

function describe(response) {
  if (!response) return 'no response';
  if (response.error) return `status ${response.status}: ${JSON.stringify(response.error)}`;
  return JSON.stringify(response.message || {}).slice(0, 200);
}
