import { randomBytes } from 'node:crypto';
import { errors } from '@warmgate/proto';
import {
  SIDECAR_SECRET_FILE_ENV,
  writeSecretFile,
  type ContainerSecrets,
} from '../container-secret.js';
import type { ClaimRecord, Container, CreateOptions, Profile, Runtime } from '../runtime.js';
import { spawnContainerProcess, spawnPlainAgent } from './agent-process.js';
import { bubblewrapArgs } from './bubblewrap.js';
import {
  allowedEnv,
  CONTROL_TOKEN_FILE_ENV,
  JWE_KEY_ENV,
  JWE_KEY_FILE_ENV,
} from './container-env.js';
import { ContainerFiles, type ContainerRecord } from './container-files.js';
import { groupAlive, groupsWorkingIn, stopGroup } from './process-group.js';
import { createStartPriority } from './start-priority.js';

export interface LocalRuntimeOptions {
  /** Where containers live: `<stateDir>/<id>/` (pids, ports, claim, workspace). */
  stateDir: string;
  /** agent/dist/main.js */
  agentEntry: string;
  nodePath?: string;
  /** Node flags before the entry point (e.g. a small young generation); default none. */
  agentNodeArgs?: readonly string[];
  /**
   * 1: agent and sidecar in one process (`main.js container`, about 70 MiB less per warm
   * container); 2 (default): two processes, as in the agent image's pod.
   */
  agentProcesses?: 1 | 2;
  /**
   * Agents by name behind the sidecar's data plane (a profile's `agent`), each a command
   * line started under the agent start contract; `typescript-mcp` is built in.
   */
  agentCommands?: Readonly<Record<string, readonly string[]>>;
  /** Names of agentCommands the sidecar starts as its child and speaks stdio to. */
  agentStdio?: readonly string[];
  host?: string;
  /** SIGTERM → SIGKILL grace when destroying. */
  killGraceMs?: number;
  readyTimeoutMs?: number;
  /**
   * Extra environment for every container process. The pool manager's own environment is
   * not inherited, only an allow-list of it (container-env.ts).
   */
  env?: NodeJS.ProcessEnv;
  /** Each container's sidecar secret (container-secret.ts), written to a 0600 file. */
  containerSecrets: ContainerSecrets;
  /** The environment the allow-list and the JWE key are taken from (default process.env). */
  parentEnv?: NodeJS.ProcessEnv;
  /**
   * Each container process under bubblewrap, seeing only its own folder of these
   * (bubblewrap.ts); unset = plain processes of the operator's user.
   */
  sandbox?: { readonly hidden: readonly string[]; readonly readOnly: readonly string[] };
  /**
   * The autogroup nice value a warm pool's replacement runs at while it starts (0: normal;
   * start-priority.ts), until ready or for at most `backgroundStartMs`.
   */
  replenishNice?: number;
  /**
   * Default 2 s (at most half the ready timeout): long enough for the binds of a burst to get
   * the cores first, short enough that a machine busy with other work cannot starve the start.
   */
  backgroundStartMs?: number;
  log?: (message: string) => void;
}

/**
 * The embedded runtime: a container is an agent process and a sidecar process with their own
 * ports and scratch workspace. Everything about a container is on disk, so a pool manager
 * that was killed is replaced by one that finds (list) and adopts or destroys what it left.
 */
export function createLocalRuntime(options: LocalRuntimeOptions): Runtime {
  const files = new ContainerFiles(options.stateDir);
  // Records this instance wrote or read: a claim needs no file read on the claim path.
  const records = new Map<string, ContainerRecord>();
  const host = options.host ?? '127.0.0.1';
  const nodePath = options.nodePath ?? process.execPath;
  const killGraceMs = options.killGraceMs ?? 2000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const priority = createStartPriority(options.replenishNice ?? 0, options.log ?? (() => {}));
  const backgroundStartMs = options.backgroundStartMs ?? Math.min(2000, readyTimeoutMs / 2);
  const toContainer = (
    record: ContainerRecord,
    claim?: ClaimRecord,
    draining = false,
  ): Container => ({
    id: record.id,
    profile: record.profile,
    mcpUrl: `http://${host}:${record.agent.port}/mcp`,
    lifecycleAddress: `${host}:${record.sidecar.port}`,
    createdAt: record.createdAt,
    phase: draining ? 'draining' : claim ? 'claimed' : 'warm',
    claim,
  });

  async function create(
    profile: Profile,
    signal?: AbortSignal,
    how: CreateOptions = {},
  ): Promise<Container> {
    // A replacement's processes start in the background and are back at normal weight when
    // it is ready (before anyone can claim it), or after backgroundStartMs at the latest.
    let background = how.background && priority ? priority : undefined;
    const spawned: number[] = [];
    // Also when the bound passes between two spawns: what starts after it starts at normal weight.
    const foreground = () => {
      clearTimeout(bound);
      for (const pid of spawned.splice(0)) background?.normal(pid);
      background = undefined;
    };
    const bound = background ? setTimeout(foreground, backgroundStartMs).unref() : undefined;
    try {
      return await createProcesses(profile, signal, (pid) => {
        if (!background) return;
        background.background(pid);
        spawned.push(pid);
      });
    } finally {
      foreground();
    }
  }

  async function createProcesses(
    profile: Profile,
    signal: AbortSignal | undefined,
    onStart: (pid: number) => void,
  ): Promise<Container> {
    const id = `c-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const createdAt = Date.now();
    await files.make(id);
    const parentEnv = options.parentEnv ?? process.env;
    // The JWE key is a secret: not in the allow-list, taken from the parent by name.
    const { env: given, jweKey } = withoutJweKey({
      ...allowedEnv(parentEnv),
      [JWE_KEY_ENV]: parentEnv[JWE_KEY_ENV],
      ...options.env,
      ...profile.template,
    });
    // Secrets by file (0600, in the container's folder), never in a process environment.
    const controlFile = files.secretFile(id, 'control.token');
    await writeSecretFile(controlFile, randomBytes(32).toString('base64url'));
    const sidecarSecretFile = files.secretFile(id, 'sidecar.secret');
    await writeSecretFile(sidecarSecretFile, options.containerSecrets(id));
    const agentSecrets: NodeJS.ProcessEnv = {};
    if (jweKey !== undefined) {
      const jweFile = files.secretFile(id, 'agent-jwe.key');
      await writeSecretFile(jweFile, jweKey);
      agentSecrets[JWE_KEY_FILE_ENV] = jweFile;
    }
    const env: NodeJS.ProcessEnv = {
      ...given,
      WARMGATE_AGENT_HOST: host,
      WARMGATE_WORKSPACE_DIR: files.workspace(id),
      [CONTROL_TOKEN_FILE_ENV]: controlFile,
    };
    const start = (role: 'agent' | 'sidecar' | 'container', roleEnv: NodeJS.ProcessEnv) => {
      // One process: its files are the agent's, and its pid stands for both roles.
      const fileRole = role === 'container' ? 'agent' : role;
      return spawnContainerProcess({
        nodePath,
        nodeArgs: options.agentNodeArgs ?? [],
        entry: options.agentEntry,
        role,
        env: { ...env, ...roleEnv },
        readyFile: files.readyFile(id, fileRole),
        logFile: files.logFile(id, fileRole),
        timeoutMs: readyTimeoutMs,
        signal,
        ...(options.sandbox
          ? {
              wrap: (command: string, args: readonly string[]) => ({
                command: 'bwrap',
                args: bubblewrapArgs(
                  { ...options.sandbox!, containerDir: files.dir(id) },
                  command,
                  args,
                ),
              }),
            }
          : {}),
        onSpawn: async (pid) => {
          onStart(pid);
          await files.writePid(id, fileRole, pid);
          if (role === 'container') await files.writePid(id, 'sidecar', pid);
        },
      });
    };
    try {
      let agent: { pid: number; port: number };
      let sidecar: { pid: number; port: number };
      const agentName = profile.agent ?? 'typescript';
      if (agentName !== 'typescript') {
        // Behind the data plane: the agent is any MCP server on a Unix socket in the
        // container's folder; the sidecar serves the gateway's MCP (its port is the mcpUrl's)
        // and holds the JWE key, since it checks credentials.
        const command =
          agentName === 'typescript-mcp'
            ? [nodePath, ...(options.agentNodeArgs ?? []), options.agentEntry, 'mcp']
            : options.agentCommands?.[agentName];
        if (!command) {
          throw errors.failedPrecondition(`profile ${profile.name}: no agent ${agentName}`);
        }
        if (options.agentStdio?.includes(agentName)) {
          // Over stdio the sidecar starts the agent as its child (one process group): the
          // sidecar's pid stands for both.
          const plane = await start('sidecar', {
            ...agentSecrets,
            [SIDECAR_SECRET_FILE_ENV]: sidecarSecretFile,
            WARMGATE_SIDECAR_PORT: '0',
            WARMGATE_SIDECAR_MCP_PORT: '0',
            WARMGATE_SIDECAR_AGENT_COMMAND: JSON.stringify(command),
          });
          if (plane.mcpPort === undefined) {
            throw errors.unavailable(`container ${id}: its sidecar names no mcpPort`);
          }
          await files.writePid(id, 'agent', plane.pid);
          agent = { pid: plane.pid, port: plane.mcpPort };
          sidecar = { pid: plane.pid, port: plane.port };
          const record: ContainerRecord = { id, profile: profile.name, createdAt, agent, sidecar };
          await files.writeRecord(record);
          records.set(id, record);
          return toContainer(record);
        }
        const socket = files.secretFile(id, 'agent.sock');
        const workspace = files.workspace(id);
        const pid = await spawnPlainAgent({
          command,
          // WARMGATE_WORKSPACE_DIR too: what finds a container's processes by their
          // environment (the test harness's leftover sweep) finds the agent as well.
          env: {
            ...given,
            WARMGATE_WORKSPACE: workspace,
            WARMGATE_WORKSPACE_DIR: workspace,
            WARMGATE_AGENT_LISTEN: socket,
          },
          cwd: workspace,
          logFile: files.logFile(id, 'agent'),
          onSpawn: (spawned) => {
            onStart(spawned);
            return files.writePid(id, 'agent', spawned);
          },
        });
        const plane = await start('sidecar', {
          ...agentSecrets,
          [SIDECAR_SECRET_FILE_ENV]: sidecarSecretFile,
          WARMGATE_SIDECAR_PORT: '0',
          WARMGATE_SIDECAR_MCP_PORT: '0',
          WARMGATE_SIDECAR_AGENT: socket,
        });
        if (plane.mcpPort === undefined) {
          throw errors.unavailable(`container ${id}: its sidecar names no mcpPort`);
        }
        agent = { pid, port: plane.mcpPort };
        sidecar = { pid: plane.pid, port: plane.port };
      } else if (options.agentProcesses === 1) {
        // One process holds both roles' secrets: the price of sharing it (the README says so).
        const both = await start('container', {
          ...agentSecrets,
          [SIDECAR_SECRET_FILE_ENV]: sidecarSecretFile,
          WARMGATE_AGENT_PORT: '0',
          WARMGATE_SIDECAR_PORT: '0',
        });
        if (both.agentPort === undefined) {
          throw errors.unavailable(`container ${id}: its ready file names no agentPort`);
        }
        agent = { pid: both.pid, port: both.agentPort };
        sidecar = { pid: both.pid, port: both.port };
      } else {
        agent = await start('agent', { ...agentSecrets, WARMGATE_AGENT_PORT: '0' });
        sidecar = await start('sidecar', {
          [SIDECAR_SECRET_FILE_ENV]: sidecarSecretFile,
          WARMGATE_SIDECAR_PORT: '0',
          WARMGATE_AGENT_URL: `http://${host}:${agent.port}`,
        });
      }
      const record: ContainerRecord = { id, profile: profile.name, createdAt, agent, sidecar };
      await files.writeRecord(record);
      records.set(id, record);
      return toContainer(record);
    } catch (error) {
      await destroy(id).catch(() => {});
      throw error;
    }
  }

  async function claim(id: string, record: ClaimRecord): Promise<Container> {
    const container = records.get(id) ?? (await files.readRecord(id));
    if (!container) throw errors.notFound(`no local container ${id}`);
    await files.writeClaim(id, record);
    return toContainer(container, record);
  }

  async function destroy(id: string): Promise<void> {
    const pids = [...new Set(await files.pids(id))];
    await Promise.all(pids.map((pid) => stopGroup(pid, killGraceMs)));
    // A process spawned just before the pool manager was killed has no pid file: found by
    // its workspace, or it would outlive its container's folder.
    const unrecorded = await groupsWorkingIn(files.workspace(id));
    await Promise.all(unrecorded.map((pid) => stopGroup(pid, killGraceMs)));
    await files.remove(id);
    records.delete(id);
  }

  async function list(): Promise<Container[]> {
    const found = await Promise.all(
      (await files.ids()).map(async (id): Promise<Container> => {
        const [record, claimRecord, draining] = await Promise.all([
          files.readRecord(id),
          files.readClaim(id),
          files.isDraining(id),
        ]);
        if (record) {
          records.set(id, record);
          const container = toContainer(record, claimRecord, draining);
          // Processes gone (or their pids reused by someone else's group): never reach for
          // the recorded ports, another container may be listening there now.
          const alive = groupAlive(record.agent.pid) && groupAlive(record.sidecar.pid);
          return alive ? container : { ...container, mcpUrl: '', lifecycleAddress: '' };
        }
        // Half-made (the pool manager died while creating it): only destroy applies.
        return {
          id,
          profile: '',
          mcpUrl: '',
          lifecycleAddress: '',
          createdAt: 0,
          phase: 'starting',
        };
      }),
    );
    return found;
  }

  return {
    kind: 'local',
    create,
    claim,
    markDraining: (id) => files.markDraining(id),
    destroy,
    list,
    close: async () => {},
  };
}

/** The JWE private key, if the environment carries one, and the environment without it. */
function withoutJweKey(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; jweKey?: string } {
  const { [JWE_KEY_ENV]: jweKey, ...rest } = env;
  return jweKey === undefined || jweKey === '' ? { env: rest } : { env: rest, jweKey };
}
