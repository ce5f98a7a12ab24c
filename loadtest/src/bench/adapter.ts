import { Client as RawClient, Server, credentials } from '@grpc/grpc-js';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { testingv1 } from '@warmgate/proto';
import { addService, createClient, listen } from '@warmgate/proto/grpc';
import { printTable, summarize, timeConcurrent, timeSequential, writeResult } from './harness.js';

const { EchoService, EchoRequestSchema, EchoResponseSchema } = testingv1;

/** The adapter's cost over raw grpc-js, both against one server, measured in the same run. */
export async function run(): Promise<void> {
  const server = new Server();
  addService(server, EchoService, { ...unimplemented(), echo: async (r) => ({ text: r.text }) });
  const port = await listen(server, '127.0.0.1', 0);
  const address = `127.0.0.1:${port}`;
  const typed = createClient(EchoService, address);
  const raw = new RawClient(address, credentials.createInsecure());
  const path = `/${EchoService.typeName}/Echo`;
  const rawCall = () =>
    new Promise<unknown>((resolve, reject) =>
      raw.makeUnaryRequest(
        path,
        (m: unknown) => Buffer.from(toBinary(EchoRequestSchema, m as never)),
        (b: Buffer) => fromBinary(EchoResponseSchema, b),
        create(EchoRequestSchema, { text: 'hello' }),
        (e, v) => (e ? reject(e) : resolve(v)),
      ),
    );
  const typedCall = () => typed.echo({ text: 'hello' });
  try {
    const n = 3000;
    const rawSeq = summarize(await timeSequential(n, rawCall, 300));
    const typedSeq = summarize(await timeSequential(n, typedCall, 300));
    const rawPar = await timeConcurrent(n * 2, 32, rawCall);
    const typedPar = await timeConcurrent(n * 2, 32, typedCall);
    const result = {
      raw: { ...rawSeq, calls_per_s: Math.round(rawPar.perSecond) },
      adapter: { ...typedSeq, calls_per_s: Math.round(typedPar.perSecond) },
      throughput_ratio: Math.round((typedPar.perSecond / rawPar.perSecond) * 1000) / 1000,
    };
    printTable('unary Echo over loopback (sequential latency, 32-way throughput)', [
      { client: 'raw grpc-js', ...pick(result.raw) },
      { client: 'adapter', ...pick(result.adapter) },
    ]);
    console.log(`adapter / raw throughput: ${result.throughput_ratio}`);
    writeResult('adapter', result);
  } finally {
    typed.close();
    raw.close();
    server.forceShutdown();
  }
}

function pick(s: { p50_ms: number; p99_ms: number; calls_per_s: number }) {
  return { p50_ms: s.p50_ms, p99_ms: s.p99_ms, calls_per_s: s.calls_per_s };
}

function unimplemented() {
  const never = () => {
    throw new Error('not used by this benchmark');
  };
  return { echoServerStream: never, echoClientStream: never, echoBidi: never };
}
