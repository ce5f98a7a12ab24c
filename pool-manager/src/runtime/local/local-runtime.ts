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
import { allowedEnv, JWE_KEY_ENV, JWE_KEY_FILE_ENV } from './container-env.js';
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
   * The built-in TypeScript agent: 1 = agent and sidecar in one process (`main.js container`,
   * less memory per warm container); 2 (default): two processes, as in the agent image's pod.
   */
  agentProcesses?: 1 | 2;
  /**
   * Agents by name behind the sidecar's data plane (a profile's `agent`), each a command
   * line started under the agent start contract; `typescript` (alias `typescript-mcp`) is
   * built in: `main.js mcp`.
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
  const deathListeners = new Set<(id: string) => void>();
  /** Containers being destroyed: their processes' exits are destroy's doing. */
  const destroying = new Set<string>();
  // A process of a container this instance made exited on its own (the child's exit event;
  // containers adopted after a restart are not this process's children: the health check on
  // borrow finds those). Only a container already on the books counts: one still starting
  // fails its create instead.
  const exited = (id: string) => () => {
    if (destroying.has(id) || !records.has(id)) return;
    for (const listener of deathListeners) listener(id);
  };
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
    const sidecarSecretFile = files.secretFile(id, 'sidecar.secret');
    await writeSecretFile(sidecarSecretFile, options.containerSecrets(id));
    // The JWE key goes to the sidecar: it checks every request's credential (the agent none).
    const sidecarSecrets: NodeJS.ProcessEnv = { [SIDECAR_SECRET_FILE_ENV]: sidecarSecretFile };
    if (jweKey !== undefined) {
      const jweFile = files.secretFile(id, 'agent-jwe.key');
      await writeSecretFile(jweFile, jweKey);
      sidecarSecrets[JWE_KEY_FILE_ENV] = jweFile;
    }
    const workspace = files.workspace(id);
    // Temporary files in the container's own folder, not the operator's TMPDIR: removed with
    // the container, even when its processes were killed with SIGKILL and could not clean up.
    const containerTmp = { TMPDIR: files.tmp(id) };
    const env: NodeJS.ProcessEnv = {
      ...given,
      ...containerTmp,
      WARMGATE_AGENT_HOST: host,
      WARMGATE_WORKSPACE_DIR: workspace,
    };
    const wrap = options.sandbox
      ? (command: string, args: readonly string[]) => ({
          command: 'bwrap',
          args: bubblewrapArgs({ ...options.sandbox!, containerDir: files.dir(id) }, command, args),
        })
      : undefined;
    const start = (role: 'sidecar' | 'container', roleEnv: NodeJS.ProcessEnv) =>
      spawnContainerProcess({
        nodePath,
        nodeArgs: options.agentNodeArgs ?? [],
        entry: options.agentEntry,
        role,
        env: { ...env, ...sidecarSecrets, ...roleEnv },
        // One process: its files are the agent's, and its pid stands for both roles.
        readyFile: files.readyFile(id, role === 'container' ? 'agent' : 'sidecar'),
        logFile: files.logFile(id, role === 'container' ? 'agent' : 'sidecar'),
        timeoutMs: readyTimeoutMs,
        signal,
        ...(wrap ? { wrap } : {}),
        onExit: exited(id),
        onSpawn: async (pid) => {
          onStart(pid);
          await files.writePid(id, role === 'container' ? 'agent' : 'sidecar', pid);
          if (role === 'container') await files.writePid(id, 'sidecar', pid);
        },
      });
    /** The sidecar's ports: Lifecycle, and MCP for the gateway (the data plane's). */
    const planePorts = { WARMGATE_SIDECAR_PORT: '0', WARMGATE_SIDECAR_MCP_PORT: '0' };
    const mcpPortOf = (ready: { mcpPort?: number }) => {
      if (ready.mcpPort === undefined) {
        throw errors.unavailable(`container ${id}: its sidecar names no mcpPort`);
      }
      return ready.mcpPort;
    };
    const keep = async (agent: ContainerRecord['agent'], sidecar: ContainerRecord['sidecar']) => {
      const record: ContainerRecord = { id, profile: profile.name, createdAt, agent, sidecar };
      await files.writeRecord(record);
      records.set(id, record);
      return toContainer(record);
    };
    try {
      // Every agent sits behind the sidecar's data plane (the agent start contract): the
      // sidecar serves the gateway's MCP (its port is the mcpUrl's), checks credentials and
      // commits and pushes each write; the agent is any MCP server.
      const agentName = profile.agent ?? 'typescript';
      const builtIn = agentName === 'typescript' || agentName === 'typescript-mcp';
      if (builtIn && options.agentProcesses === 1) {
        // Agent and sidecar in one process (`main.js container`): the data plane in front of
        // the agent's MCP server, on a socket in the container's folder.
        const both = await start('container', {
          ...planePorts,
          WARMGATE_SIDECAR_AGENT: files.secretFile(id, 'agent.sock'),
        });
        const port = mcpPortOf(both);
        return await keep({ pid: both.pid, port }, { pid: both.pid, port: both.port });
      }
      const command = builtIn
        ? [nodePath, ...(options.agentNodeArgs ?? []), options.agentEntry, 'mcp']
        : options.agentCommands?.[agentName];
      if (!command) {
        throw errors.failedPrecondition(`profile ${profile.name}: no agent ${agentName}`);
      }
      if (options.agentStdio?.includes(agentName)) {
        // Over stdio the sidecar starts the agent as its child (one process group): the
        // sidecar's pid stands for both.
        const plane = await start('sidecar', {
          ...planePorts,
          WARMGATE_SIDECAR_AGENT_COMMAND: JSON.stringify(command),
        });
        await files.writePid(id, 'agent', plane.pid);
        const port = mcpPortOf(plane);
        return await keep({ pid: plane.pid, port }, { pid: plane.pid, port: plane.port });
      }
      const socket = files.secretFile(id, 'agent.sock');
      const pid = await spawnPlainAgent({
        command,
        // WARMGATE_WORKSPACE_DIR too: what finds a container's processes by their environment
        // (the test harness's leftover sweep) finds the agent as well.
        env: {
          ...given,
          ...containerTmp,
          WARMGATE_WORKSPACE: workspace,
          WARMGATE_WORKSPACE_DIR: workspace,
          WARMGATE_AGENT_LISTEN: socket,
        },
        cwd: workspace,
        logFile: files.logFile(id, 'agent'),
        ...(wrap ? { wrap } : {}),
        onSpawn: (spawned) => {
          onStart(spawned);
          return files.writePid(id, 'agent', spawned);
        },
        onExit: exited(id),
      });
      const plane = await start('sidecar', { ...planePorts, WARMGATE_SIDECAR_AGENT: socket });
      return await keep({ pid, port: mcpPortOf(plane) }, { pid: plane.pid, port: plane.port });
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
    destroying.add(id);
    try {
      const pids = [...new Set(await files.pids(id))];
      await Promise.all(pids.map((pid) => stopGroup(pid, killGraceMs)));
      // A process spawned just before the pool manager was killed has no pid file: found by
      // its workspace, or it would outlive its container's folder.
      const unrecorded = await groupsWorkingIn(files.workspace(id));
      await Promise.all(unrecorded.map((pid) => stopGroup(pid, killGraceMs)));
      await files.remove(id);
      records.delete(id);
    } finally {
      destroying.delete(id);
    }
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
    onDeath: (listener) => {
      deathListeners.add(listener);
      return () => deathListeners.delete(listener);
    },
    close: async () => {
      deathListeners.clear();
    },
  };
}

/** The JWE private key, if the environment carries one, and the environment without it. */
function withoutJweKey(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; jweKey?: string } {
  const { [JWE_KEY_ENV]: jweKey, ...rest } = env;
  return jweKey === undefined || jweKey === '' ? { env: rest } : { env: rest, jweKey };
}
