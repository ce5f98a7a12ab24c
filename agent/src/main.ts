// The agent image's entry point: `node agent/dist/main.js sidecar|container|stdio|mcp`.
// sidecar — warmgate.agent.v1.Lifecycle gRPC server and the data plane (MCP for the gateway)
//           in front of the agent named by WARMGATE_SIDECAR_AGENT[_COMMAND]
// container — sidecar (data plane) and mcp in one process: one Node process instead of two
//             per warm container (the local runtime's WARMGATE_POOL_AGENT_PROCESSES=1)
// stdio   — MCP over stdio on a local workspace (debugging)
// mcp     — a plain MCP server behind a data-plane sidecar (WARMGATE_SIDECAR_AGENT): no
//           credentials, no git (the agent start contract, issue 14)
// Each role loads only its own code (the agent no gRPC): see the
// footprint section of docs/benchmarks.md.
// warm-compiler.js first, and every other module by a dynamic import after it: Node resolves
// a module's whole static import graph before it runs any of it, and that resolving alone
// gets path functions hot enough for TurboFan (warm-compiler.ts).
import './warm-compiler.js';
import type { Role } from './config.js';

const ROLES: readonly Role[] = ['sidecar', 'container', 'stdio', 'mcp'];
/** A stop that takes longer than this is cut short (the drain has its own timeout). */
const STOP_LIMIT_MS = 60_000;

async function main(): Promise<void> {
  const role = process.argv[2] as Role | undefined;
  if (!role || !ROLES.includes(role)) {
    process.stderr.write('usage: node agent/dist/main.js sidecar|container|stdio|mcp\n');
    process.exit(2);
  }
  const [{ WarmgateError }, { loadConfig }, { announceReady }, { startOtlpTelemetry }] =
    await Promise.all([
      import('@warmgate/proto'),
      import('./config.js'),
      import('./ready.js'),
      import('@warmgate/telemetry'),
    ]);
  const config = loadConfig(role);
  // Loads the OpenTelemetry SDK only when an OTLP endpoint is set: an idle agent without one
  // carries none of it.
  const telemetry =
    role === 'stdio'
      ? undefined
      : await startOtlpTelemetry(role === 'sidecar' ? 'warmgate-sidecar' : 'warmgate-agent');
  let stop: () => Promise<void>;
  if (role === 'sidecar') {
    const { startSidecar } = await import('./sidecar/start-sidecar.js');
    const sidecar = await startSidecar(config);
    await announceReady('sidecar', sidecar.port, config.readyFile, undefined, sidecar.mcpPort);
    stop = sidecar.close;
  } else if (role === 'mcp') {
    const { startPlainAgent } = await import('./server/start-plain.js');
    const agent = await startPlainAgent(config);
    await announceReady('mcp', agent.port, config.readyFile);
    stop = agent.close;
  } else if (role === 'container') {
    // The data plane in front of the agent's MCP server, in one process: the agent listens on
    // a Unix socket (it checks no credential, so nobody else may reach it): the one named by
    // WARMGATE_SIDECAR_AGENT (the local runtime's, in the container's folder), else one in a
    // fresh 0700 folder.
    const [{ startPlainAgent }, { startSidecar }, { mkdtemp, rm }, { tmpdir }, { join }] =
      await Promise.all([
        import('./server/start-plain.js'),
        import('./sidecar/start-sidecar.js'),
        import('node:fs/promises'),
        import('node:os'),
        import('node:path'),
      ]);
    const given = config.agentListen?.startsWith('/') ? config.agentListen : undefined;
    const socketDir = given ? undefined : await mkdtemp(join(tmpdir(), 'warmgate-agent-'));
    const agentListen = given ?? join(socketDir!, 'mcp.sock');
    const removeSocketDir = async () => {
      if (socketDir) await rm(socketDir, { recursive: true, force: true });
    };
    const agent = await startPlainAgent({ ...config, agentListen }, false).catch(
      async (error: unknown) => {
        await removeSocketDir();
        throw error;
      },
    );
    const sidecar = await startSidecar({ ...config, agentListen, agentCommand: undefined }).catch(
      async (error: unknown) => {
        await agent.close();
        await removeSocketDir();
        throw error;
      },
    );
    await announceReady('container', sidecar.port, config.readyFile, undefined, sidecar.mcpPort);
    agent.preload();
    stop = async () => {
      await sidecar.close();
      await agent.close();
      await removeSocketDir();
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

main().catch(async (error: unknown) => {
  const message = await import('@warmgate/proto').then(
    ({ WarmgateError }) => WarmgateError.from(error).message,
    () => String(error),
  );
  process.stderr.write(`agent ${process.argv[2] ?? ''}: ${message}\n`);
  process.exit(1);
});
