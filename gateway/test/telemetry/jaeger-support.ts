// A real Jaeger v2 (built from the Go module proxy by tools/go-tools.sh) on loopback: OTLP
// receiver (gRPC + HTTP), in-memory storage and the query API, each on a free port picked
// just before start, with its own telemetry off. Jaeger has no port-0 hand-back, hence the
// pick-then-bind (a small race with other processes; it fails loudly, never silently).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { goTool } from '../support/go-tool.js';

export interface Jaeger {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT (http/protobuf, http/json). */
  readonly otlpHttp: string;
  /** For OTEL_EXPORTER_OTLP_ENDPOINT with protocol grpc. */
  readonly otlpGrpc: string;
  readonly queryUrl: string;
  output(): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startJaeger(): Promise<Jaeger> {
  const binary = await goTool('jaeger');
  const [grpcPort, httpPort, queryPort, queryGrpcPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'warmgate-jaeger-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${queryPort}
    grpc:
      endpoint: 127.0.0.1:${queryGrpcPort}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 10000
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${grpcPort}
      http:
        endpoint: 127.0.0.1:${httpPort}
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`,
  );
  const child: ChildProcess = spawn(binary, ['--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const queryUrl = `http://127.0.0.1:${queryPort}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jaeger exited (${child.exitCode}):\n${log}`);
    const ok = await fetch(`${queryUrl}/api/services`).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`jaeger's query API did not answer within 30 s:\n${log}`);
    }
    await sleep(200);
  }
  return {
    otlpHttp: `http://127.0.0.1:${httpPort}`,
    otlpGrpc: `http://127.0.0.1:${grpcPort}`,
    queryUrl,
    output: () => log,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly processID: string;
  /** Microseconds since the epoch. */
  readonly startTime: number;
  readonly references: { refType: string; spanID: string }[];
}
export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: JaegerSpan[];
  readonly processes: Record<string, { serviceName: string }>;
}

export async function tracesOf(queryUrl: string, service: string): Promise<JaegerTrace[]> {
  const res = await fetch(`${queryUrl}/api/traces?service=${service}&limit=100&lookback=1h`);
  if (!res.ok) return [];
  return ((await res.json()) as { data: JaegerTrace[] | null }).data ?? [];
}
