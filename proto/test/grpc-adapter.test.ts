import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client as GrpcClient,
  Server,
  credentials,
  status,
  type ServiceError,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, WarmgateError, codeName, testingv1 } from '../src/index.js';
import { addService, createClient, listen, type HandlerContext } from '../src/grpc/index.js';

const { EchoService } = testingv1;

/** What the server saw, so tests can assert that cancellation reached the handler. */
const seen = { aborted: [] as string[] };

function onAbort(label: string, context: HandlerContext) {
  context.signal.addEventListener('abort', () => {
    seen.aborted.push(`${label}:${codeName(WarmgateError.from(context.signal.reason).code)}`);
  });
}

function waitOrAbort(ms: number, signal: AbortSignal) {
  return sleep(ms, undefined, { signal }).catch(() => {
    throw WarmgateError.from(signal.reason);
  });
}

let server: Server;
let client: ReturnType<typeof createClient<typeof EchoService>>;
let address: string;

beforeAll(async () => {
  server = new Server();
  addService(server, EchoService, {
    async echo(request, context) {
      onAbort(`echo:${request.text}`, context);
      if (request.delayMs) await waitOrAbort(request.delayMs, context.signal);
      if (request.failCode)
        throw new WarmgateError(request.failCode, `failed with ${request.failCode}`);
      if (request.text === 'boom') throw new TypeError('a bug, not a client fault');
      return { text: request.text, headers: { ...context.headers } };
    },
    async *echoServerStream(request, context) {
      onAbort(`stream:${request.text}`, context);
      for (let index = 0; index < request.count; index++) {
        if (request.failAfter && index === request.failAfter) {
          throw new WarmgateError(ErrorCode.RESOURCE_EXHAUSTED, 'stream failed on purpose');
        }
        if (request.intervalMs) await waitOrAbort(request.intervalMs, context.signal);
        yield { text: request.text, index };
      }
    },
    async echoClientStream(requests) {
      const texts: string[] = [];
      for await (const request of requests) texts.push(request.text);
      return { texts };
    },
    async *echoBidi(requests) {
      for await (const request of requests) yield { text: request.text.toUpperCase() };
    },
  });
  const port = await listen(server, '127.0.0.1', 0);
  address = `127.0.0.1:${port}`;
  client = createClient(EchoService, address);
});

afterAll(async () => {
  client.close();
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
});

async function* from<T>(items: T[], gapMs = 0) {
  for (const item of items) {
    if (gapMs) await sleep(gapMs);
    yield item;
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    expect(error).toBeInstanceOf(WarmgateError);
    return codeName((error as WarmgateError).code);
  }
}

describe('grpc-js adapter over real sockets', () => {
  it('unary: round trip with metadata', async () => {
    const response = await client.echo({ text: 'hi' }, { headers: { 'x-test': 'yes' } });
    expect(response.text).toBe('hi');
    expect(response.headers['x-test']).toBe('yes');
  });

  it('maps every error code to the wire and back unchanged', async () => {
    for (let code = ErrorCode.CANCELLED; code <= ErrorCode.UNAUTHENTICATED; code++) {
      const error = await client.echo({ failCode: code }).catch((e: unknown) => e as WarmgateError);
      expect(error).toBeInstanceOf(WarmgateError);
      expect(codeName((error as WarmgateError).code)).toBe(codeName(code));
      expect((error as WarmgateError).message).toBe(`failed with ${code}`);
    }
  });

  it('an unexpected exception becomes INTERNAL, never a client-fault code', async () => {
    expect(await codeOf(client.echo({ text: 'boom' }))).toBe('INTERNAL');
  });

  it('server streaming: all messages in order', async () => {
    const messages = await collect(client.echoServerStream({ text: 's', count: 5 }));
    expect(messages.map((m) => m.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('server streaming: an error mid-stream arrives after the messages before it', async () => {
    const received: number[] = [];
    const error = await (async () => {
      for await (const message of client.echoServerStream({ text: 'f', count: 5, failAfter: 2 })) {
        received.push(message.index);
      }
    })().catch((e: unknown) => e as WarmgateError);
    expect(received).toEqual([0, 1]);
    expect(codeName((error as WarmgateError).code)).toBe('RESOURCE_EXHAUSTED');
  });

  it('client streaming: the server sees every message', async () => {
    const response = await client.echoClientStream(
      from([{ text: 'a' }, { text: 'b' }, { text: 'c' }], 5),
    );
    expect(response.texts).toEqual(['a', 'b', 'c']);
  });

  it('bidi streaming: responses interleave with requests', async () => {
    const responses = await collect(client.echoBidi(from([{ text: 'x' }, { text: 'y' }], 5)));
    expect(responses.map((r) => r.text)).toEqual(['X', 'Y']);
  });

  it('bidi streaming: many messages with backpressure', async () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({ text: `m${i}`.padEnd(512, '.') }));
    const responses = await collect(client.echoBidi(from(many)));
    expect(responses).toHaveLength(2000);
    expect(responses[1999]!.text.startsWith('M1999')).toBe(true);
  });

  it('deadline: the client gets DEADLINE_EXCEEDED and the handler is aborted', async () => {
    expect(await codeOf(client.echo({ text: 'slow', delayMs: 5_000 }, { timeoutMs: 100 }))).toBe(
      'DEADLINE_EXCEEDED',
    );
    await expect.poll(() => seen.aborted.some((s) => s.startsWith('echo:slow:'))).toBe(true);
  });

  it('cancellation: aborting a unary call reaches the handler', async () => {
    const controller = new AbortController();
    const call = client.echo({ text: 'cancel-me', delayMs: 5_000 }, { signal: controller.signal });
    await sleep(100);
    controller.abort();
    expect(await codeOf(call)).toBe('CANCELLED');
    await expect.poll(() => seen.aborted).toContain('echo:cancel-me:CANCELLED');
  });

  it('cancellation: leaving a server stream early cancels it on the server', async () => {
    for await (const message of client.echoServerStream({
      text: 'early',
      count: 1000,
      intervalMs: 20,
    })) {
      if (message.index === 2) break;
    }
    await expect.poll(() => seen.aborted).toContain('stream:early:CANCELLED');
  });

  it('an already-aborted signal cancels before anything is sent', async () => {
    expect(await codeOf(client.echo({ text: 'x' }, { signal: AbortSignal.abort() }))).toBe(
      'CANCELLED',
    );
  });

  it('bytes that are not the request message are INVALID_ARGUMENT, for every call kind', async () => {
    const raw = new GrpcClient(address, credentials.createInsecure());
    const garbage = Buffer.from([0xff, 0xff, 0xff]);
    const same = (b: Buffer) => b;
    const path = (name: string) => `/${EchoService.typeName}/${name}`;
    try {
      const unary = await new Promise<ServiceError | null>((resolve) =>
        raw.makeUnaryRequest(path('Echo'), same, same, garbage, (error) => resolve(error)),
      );
      expect(unary?.code).toBe(status.INVALID_ARGUMENT);
      expect(unary?.details).toMatch(/not a valid warmgate.testing.v1.EchoRequest/);
      const stream = raw.makeServerStreamRequest(path('EchoServerStream'), same, same, garbage);
      const streamError = await new Promise<ServiceError>((resolve) => {
        stream.on('data', () => {});
        stream.on('error', resolve);
      });
      expect(streamError.code).toBe(status.INVALID_ARGUMENT);
      const bidi = raw.makeBidiStreamRequest(path('EchoBidi'), same, same);
      const bidiError = new Promise<ServiceError>((resolve) => {
        bidi.on('data', () => {});
        bidi.on('error', resolve);
      });
      bidi.write(garbage);
      expect((await bidiError).code).toBe(status.INVALID_ARGUMENT);
    } finally {
      raw.close();
    }
  });

  it('an unreachable server is UNAVAILABLE', async () => {
    const nowhere = createClient(EchoService, '127.0.0.1:1');
    try {
      expect(await codeOf(nowhere.echo({ text: 'x' }, { timeoutMs: 2_000 }))).toMatch(
        /UNAVAILABLE|DEADLINE_EXCEEDED/,
      );
    } finally {
      nowhere.close();
    }
  });
});
