// The internal hops' authentication in the adapter: `addService(…, { authenticate })` with
// `requireBearer` refuses every kind of call without the secret before the handler runs, and
// `createClient(…, { headers })` sends it on every call. Real grpc-js on loopback.
import { Server } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, WarmgateError, testingv1 } from '../src/index.js';
import {
  addService,
  bearerHeaders,
  createClient,
  listen,
  requireBearer,
} from '../src/grpc/index.js';

const { EchoService } = testingv1;
const secret = 'adapter-test-secret-0123456789abcdef-0123';
let server: Server;
let address: string;
let handled = 0;

beforeAll(async () => {
  server = new Server();
  addService(
    server,
    EchoService,
    {
      async echo(request) {
        handled++;
        return { text: request.text };
      },
      async *echoServerStream(request) {
        handled++;
        yield { text: request.text, index: 0 };
      },
      async echoClientStream() {
        handled++;
        return { texts: [] };
      },
      async *echoBidi(requests) {
        handled++;
        for await (const request of requests) yield { text: request.text, index: 0 };
      },
    },
    { authenticate: requireBearer(secret, 'Echo') },
  );
  address = `127.0.0.1:${await listen(server, '127.0.0.1', 0)}`;
});

afterAll(() => server.forceShutdown());

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok' as const,
    (error: unknown) => WarmgateError.from(error).code,
  );

async function drain(stream: AsyncIterable<unknown>) {
  for await (const _ of stream) {
    // consume
  }
}

describe('bearer authentication of a service', () => {
  it('refuses unary and streaming calls without, or with a wrong, secret; the handler never runs', async () => {
    for (const headers of [{}, bearerHeaders('wrong'), { authorization: secret }]) {
      const client = createClient(EchoService, address, { headers });
      try {
        expect(await codeOf(client.echo({ text: 'x' }))).toBe(ErrorCode.UNAUTHENTICATED);
        expect(await codeOf(drain(client.echoServerStream({ text: 'x', count: 1 })))).toBe(
          ErrorCode.UNAUTHENTICATED,
        );
        expect(await codeOf(client.echoClientStream((async function* () {})()))).toBe(
          ErrorCode.UNAUTHENTICATED,
        );
      } finally {
        client.close();
      }
    }
    expect(handled).toBe(0);
  });

  it('serves a client that sends the secret on every call', async () => {
    const client = createClient(EchoService, address, { headers: bearerHeaders(secret) });
    try {
      expect((await client.echo({ text: 'hi' })).text).toBe('hi');
      await drain(client.echoServerStream({ text: 'x', count: 1 }));
      expect(handled).toBe(2);
    } finally {
      client.close();
    }
  });

  it('will not be made with an empty secret', () => {
    expect(() => requireBearer('', 'Echo')).toThrow(/empty secret/);
  });
});
