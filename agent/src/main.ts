// The agent image's entry point: `node agent/dist/main.js agent|sidecar|stdio`.
// agent   — MCP server (Streamable HTTP) + control API for the sidecar
// sidecar — warmgate.agent.v1.Lifecycle gRPC server
// container — both in one process, each on its own port, the sidecar still reaching the agent
//             over the control API (one Node process instead of two per warm container)
// stdio   — MCP over stdio on a local workspace (debugging)
// Each role loads only its own code (the agent no gRPC, the sidecar no MCP SDK): see the
// footprint section of docs/benchmarks.md.
import { WarmgateError } from '@warmgate/proto';
import { loadConfig, type Role } from './config.js';
import { announceReady } from './ready.js';
import { startOtlpTelemetry } from '@warmgate/telemetry';

const ROLES: readonly Role[] = ['agent', 'sidecar', 'container', 'stdio'];
/** A stop that takes longer than this is cut short (the drain has its own timeout). */
const STOP_LIMIT_MS = 60_000;

async function main(): Promise<void> {
  const role = process.argv[2] as Role | undefined;
  if (!role || !ROLES.includes(role)) {
    process.stderr.write('usage: node agent/dist/main.js agent|sidecar|container|stdio\n');
    process.exit(2);
  }
  const config = loadConfig(role);
  // Loads the OpenTelemetry SDK only when an OTLP endpoint is set: an idle agent without one
  // carries none of it.
  const telemetry =
    role === 'stdio'
      ? undefined
      : await startOtlpTelemetry(role === 'sidecar' ? 'warmgate-sidecar' : 'warmgate-agent');
  let stop: () => Promise<void>;
  if (role === 'agent') {
    const { startAgent } = await import('./server/start-agent.js');
    const agent = await startAgent(config);
    await announceReady('agent', agent.port, config.readyFile);
    if (config.mcpLoad === 'ready') agent.preload();
    stop = agent.close;
  } else if (role === 'sidecar') {
    const { startSidecar } = await import('./sidecar/start-sidecar.js');
    const sidecar = await startSidecar(config);
    await announceReady('sidecar', sidecar.port, config.readyFile);
    stop = sidecar.close;
  } else if (role === 'container') {
    const [{ startAgent }, { startSidecar }] = await Promise.all([
      import('./server/start-agent.js'),
      import('./sidecar/start-sidecar.js'),
    ]);
    const agent = await startAgent(config);
    const agentUrl = new URL(config.agentUrl);
    agentUrl.port = String(agent.port);
    const sidecar = await startSidecar({ ...config, agentUrl: agentUrl.origin }).catch(
      async (error: unknown) => {
        await agent.close();
        throw error;
      },
    );
    await announceReady('container', sidecar.port, config.readyFile, agent.port);
    if (config.mcpLoad === 'ready') agent.preload();
    stop = async () => {
      await sidecar.close();
      await agent.close();
    };
  } else {
    const { startStdio } = await import('./server/start-stdio.js');
    stop = (await startStdio(config)).close;
  }
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), STOP_LIMIT_MS).unref();
    stop()
      .then(() => telemetry?.shutdown())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`${role}: stop failed: ${WarmgateError.from(error).message}\n`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  const failure = WarmgateError.from(error);
  process.stderr.write(`agent ${process.argv[2] ?? ''}: ${failure.message}\n`);
  process.exit(1);
});
