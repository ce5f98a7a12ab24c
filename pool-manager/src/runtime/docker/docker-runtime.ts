import { randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { chmod, chown, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { repoPathFor } from '@warmgate/contract';
import { AuthMode, errors, unixMcpUrl } from '@warmgate/proto';
import type { ClaimRecord, Container, Profile, Runtime } from '../runtime.js';
import { agentImageFor, type AgentImage, type AgentImages } from '../agent-images.js';
import {
  SIDECAR_SECRET_FILE_ENV,
  writeSecretFile,
  type ContainerSecrets,
} from '../container-secret.js';
import { ContainerFiles } from '../local/container-files.js';
import { JWE_KEY_FILE_ENV } from '../local/container-env.js';
import { containerEnv, jweKeyOf } from './container-env.js';
import { MOUNT, SECRETS, containerSpec } from './container-spec.js';
import { watchDeaths } from './death-watch.js';
import { limitsFor, type LimitsByProfile } from './docker-limits.js';
import { copyRepository } from './repository-copy.js';
import { CONTAINER, POOL, PROCESS, dockerName, poolLabel, type ProcessRole } from './labels.js';

export interface DockerRuntimeOptions {
  readonly docker: Docker;
  /** `<stateDir>/<id>/`: the pool manager's record of each container (never mounted). */
  readonly stateDir: string;
  /** The agent image (agent/Dockerfile); also the sidecar's image for every agent. */
  readonly image: string;
  /**
   * Agents by image (WARMGATE_POOL_AGENT_IMAGES): a profile naming one gets that image as its
   * agent container, a plain MCP server behind the sidecar's data plane.
   */
  readonly agentImages?: AgentImages;
  readonly limits: LimitsByProfile;
  readonly readyTimeoutMs?: number;
  /** Seconds Docker waits after SIGTERM before SIGKILL when destroying. */
  readonly stopGraceSeconds?: number;
  /** Extra environment for every container; never a secret. */
  readonly env?: Readonly<Record<string, string>>;
  /** Each container's sidecar secret (container-secret.ts), mounted into the sidecar alone. */
  readonly containerSecrets: ContainerSecrets;
  /**
   * The environment the allow-list (container-env.ts: OTEL_*, locale, agent settings) and
   * the direct-mode JWE key are taken from (default process.env).
   */
  readonly parentEnv?: NodeJS.ProcessEnv;
  /** Counts containers found dead by list() (runtime metrics). */
  readonly onDead?: (id: string) => void;
  /**
   * The repository store the containers push to (the pool manager's loopback store). Each
   * container reaches it through `/warmgate/store.sock` only, at the same port number on its
   * own loopback, so repository URLs stay http://127.0.0.1:<port>/….
   */
  readonly store?: StoreSocket;
  /** Where a repository copy that failed at claim is reported (the bind then clones). */
  readonly log?: (message: string) => void;
}

/** A store server that takes connections accepted elsewhere (http.Server `connection`). */
export interface StoreSocket {
  readonly port: number;
  accept(socket: Socket): void;
  /**
   * The folder of bare repositories the store serves, when this process can read it (the
   * embedded store): a claim then copies the user's repository into the container's folder
   * and the bind links from that copy (repository-copy.ts). Unset: the bind clones over HTTP.
   */
  readonly dir?: string;
}

/** Where a claim's copy of the user's repository is, in the box and inside the container. */
const COPY = 'repository.git';

/** The longest Unix socket path Linux takes (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

/** What the pool manager records about one container once it is warm (docker.json). */
interface DockerRecord {
  id: string;
  profile: string;
  createdAt: number;
  /** The agent's MCP port on the container's own loopback (only the sidecar reaches it). */
  agentPort: number;
}

const HOST = '127.0.0.1';

/**
 * Agent containers on one Docker host. A Warmgate container is two Docker containers (agent
 * and sidecar, like the two containers of a Kubernetes pod) in one network namespace without
 * a network (`--network none`: a loopback of their own), sharing only their own folder
 * `<stateDir>/<id>/box` mounted at /warmgate. The agent serves MCP on the containers' own
 * loopback; the sidecar serves the gateway's MCP on /warmgate/mcp.sock and Lifecycle on
 * /warmgate/sidecar.sock; the pool manager serves the repository
 * store on /warmgate/store.sock, which the sidecar forwards to from the store's port on the
 * container's loopback (pushes). Nothing else leaves the container. The bind reads no store:
 * at claim the pool manager copies the user's repository to /warmgate/repository.git
 * (repository-copy.ts), and the sidecar moves that copy into place as the workspace's .git.
 *
 * The claim cannot be a label (labels are fixed once a container exists). It is claim.json in
 * `<stateDir>/<id>/`, written with the local runtime's temp-file + hard-link trick (link() is
 * atomic and fails if the claim exists, so exactly one claimer wins), in a folder the
 * container does not see: an agent can neither forge nor erase its claim. A restarted pool
 * manager finds the containers by label and reads the claims from there.
 */
export async function createDockerRuntime(options: DockerRuntimeOptions): Promise<Runtime> {
  const { docker } = options;
  const files = new ContainerFiles(options.stateDir);
  const pool = poolLabel(options.stateDir);
  const records = new Map<string, DockerRecord>();
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const uid = process.getuid?.() ?? 1000;
  // Non-root inside the container: the pool manager's own uid, or 1000 (`node`) when it is root.
  const user = uid === 0 ? '1000:1000' : `${uid}:${process.getgid?.() ?? uid}`;
  const box = (id: string) => join(files.dir(id), 'box');
  const socket = (id: string, name: 'agent' | 'sidecar' | 'store' | 'mcp') =>
    join(box(id), `${name}.sock`);
  /** The store listener of each container this process serves. */
  const storeListeners = new Map<string, NetServer>();
  const longest = socket('d-0000000000-00000000', 'sidecar');
  if (Buffer.byteLength(longest) > MAX_SOCKET_PATH) {
    throw errors.invalidArgument(
      `WARMGATE_POOL_STATE_DIR=${options.stateDir}: too long for the Docker runtime's Unix sockets ` +
        `(${longest} is over ${MAX_SOCKET_PATH} bytes); choose a shorter folder`,
    );
  }

  /** Serves the store on the container's store.sock (again after a restart: adopt). */
  async function serveStore(id: string): Promise<void> {
    const store = options.store;
    if (!store || storeListeners.has(id)) return;
    const path = socket(id, 'store');
    const server = createServer((connection) => store.accept(connection));
    storeListeners.set(id, server);
    try {
      await unlink(path).catch(() => {});
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => resolve());
      });
      // The container's uid must be able to connect; the folder (0700, its uid) keeps others out.
      if (uid === 0) await chown(path, 1000, 1000);
    } catch (error) {
      storeListeners.delete(id);
      server.close();
      throw error;
    }
  }

  /** Containers this process is creating or destroying: their deaths are its own doing. */
  const expected = new Set<string>();
  const deathListeners = new Set<(id: string) => void>();
  const deaths = await watchDeaths(
    docker,
    pool,
    (id) => expected.has(id) || !records.has(id),
    (id) => {
      options.onDead?.(id);
      // Half a container is no container: stop the other half too, so it fails everywhere.
      for (const role of ['agent', 'sidecar'] as const) {
        void docker
          .getContainer(dockerName(id, role))
          .kill()
          .catch(() => {});
      }
      // The pool core replaces a warm one now and retires a bound one (onDeath).
      for (const listener of deathListeners) listener(id);
    },
  );

  function stopStore(id: string): void {
    storeListeners.get(id)?.close();
    storeListeners.delete(id);
  }

  const toContainer = (record: DockerRecord, claim?: ClaimRecord, draining = false): Container => ({
    id: record.id,
    profile: record.profile,
    // The sidecar's data plane, never the agent (on the container's own loopback only).
    mcpUrl: unixMcpUrl(socket(record.id, 'mcp')),
    lifecycleAddress: `unix://${socket(record.id, 'sidecar')}`,
    createdAt: record.createdAt,
    phase: draining ? 'draining' : claim ? 'claimed' : 'warm',
    claim,
  });

  async function makeFolders(id: string): Promise<void> {
    await mkdir(files.dir(id), { recursive: true, mode: 0o700 });
    await mkdir(join(box(id), 'workspace'), { recursive: true });
    if (uid === 0) {
      await chown(box(id), 1000, 1000);
      await chown(join(box(id), 'workspace'), 1000, 1000);
    }
  }

  /**
   * A 0600 file in the container's folder outside the box (never under /warmgate), owned by
   * the uid the container runs as, so only that process (and the pool manager) can read it.
   */
  async function secretFile(id: string, name: string, secret: string): Promise<string> {
    const path = files.secretFile(id, name);
    await writeSecretFile(path, secret);
    if (uid === 0) await chown(path, 1000, 1000);
    return path;
  }

  async function startProcess(
    id: string,
    role: ProcessRole,
    profile: Profile,
    env: Record<string, string>,
    secretFiles: Record<string, string>,
    signal?: AbortSignal,
    named?: AgentImage,
  ): Promise<number> {
    const readyFile = `${role}.ready.json`;
    const container = await docker.createContainer(
      containerSpec({
        id,
        role,
        image: named?.image ?? options.image,
        ...(named ? { command: named.command ?? [] } : {}),
        profile: profile.name,
        pool,
        hostFolder: box(id),
        user,
        limits: limitsFor(options.limits, profile.name),
        env: { ...env, WARMGATE_READY_FILE: `${MOUNT}/${readyFile}` },
        secretFiles,
      }),
    );
    await container.start();
    return waitForReady(container, join(box(id), readyFile), role, signal);
  }

  async function waitForReady(
    container: Docker.Container,
    readyFile: string,
    role: ProcessRole,
    signal?: AbortSignal,
  ): Promise<number> {
    const deadline = Date.now() + readyTimeoutMs;
    let wake = () => {};
    const watcher = watch(join(readyFile, '..'), () => wake());
    try {
      for (let round = 0; ; round++) {
        const port = await readPort(readyFile);
        if (port !== undefined) return port;
        if (signal?.aborted) throw errors.cancelled(`${role} start cancelled`);
        if (round % 10 === 9) {
          const state = (await container.inspect()).State;
          if (!state.Running) {
            throw errors.unavailable(
              `${role} container exited before ready (exit code ${state.ExitCode}): ${await tail(container)}`,
            );
          }
        }
        if (Date.now() > deadline) {
          throw errors.deadlineExceeded(`${role} container not ready after ${readyTimeoutMs} ms`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 50);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      watcher.close();
    }
  }

  async function create(profile: Profile, signal?: AbortSignal): Promise<Container> {
    const id = `d-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    expected.add(id);
    const createdAt = Date.now();
    await makeFolders(id);
    const parentEnv = options.parentEnv ?? process.env;
    // The whole environment of the container's processes: an allow-list (OTEL_*, locale,
    // agent settings), never a secret of the pool manager's.
    const env: Record<string, string> = {
      ...containerEnv(parentEnv),
      ...options.env,
      ...profile.template,
      HOME: '/tmp',
      NODE_ENV: 'production',
      WARMGATE_AGENT_HOST: HOST,
      WARMGATE_WORKSPACE_DIR: `${MOUNT}/workspace`,
    };
    const named = agentImageFor(profile.agent, options.agentImages, options.image);
    if (!named) {
      await destroy(id).catch(() => {});
      throw errors.failedPrecondition(
        `profile ${profile.name}: no image for agent ${profile.agent} (WARMGATE_POOL_AGENT_IMAGES)`,
      );
    }
    try {
      return await createBehindSidecar(id, profile, named, env, parentEnv, createdAt, signal);
    } catch (error) {
      await destroy(id).catch(() => {});
      throw error;
    }
  }

  /**
   * An agent (any MCP server image; the default `typescript` is the agent image in role
   * `mcp`) behind the sidecar's data plane. The agent container
   * gets the agent start contract and nothing else: no secret file, no Warmgate setting but
   * its workspace and listen address. It serves MCP on its own loopback (a port only the
   * sidecar, in its network namespace, can reach); the sidecar holds the Lifecycle secret and
   * the direct-mode key, checks every request, serves the gateway on /warmgate/mcp.sock, and
   * commits and pushes the workspace after each write.
   */
  async function createBehindSidecar(
    id: string,
    profile: Profile,
    named: AgentImage,
    env: Record<string, string>,
    parentEnv: NodeJS.ProcessEnv,
    createdAt: number,
    signal?: AbortSignal,
  ): Promise<Container> {
    const sidecarSecret = await secretFile(id, 'sidecar.secret', options.containerSecrets(id));
    const sidecarFiles: Record<string, string> = { 'sidecar.secret': sidecarSecret };
    const sidecarEnv: Record<string, string> = {
      ...env,
      [SIDECAR_SECRET_FILE_ENV]: `${SECRETS}/sidecar.secret`,
      WARMGATE_SIDECAR_SOCKET: `${MOUNT}/sidecar.sock`,
      WARMGATE_SIDECAR_MCP_SOCKET: `${MOUNT}/mcp.sock`,
      ...(options.store
        ? { WARMGATE_SIDECAR_STORE_FORWARD: `${options.store.port}=${MOUNT}/store.sock` }
        : {}),
    };
    const jweKey = await jweKeyOf(parentEnv);
    if (jweKey !== undefined) {
      sidecarFiles['agent-jwe.key'] = await secretFile(id, 'agent-jwe.key', jweKey);
      sidecarEnv[JWE_KEY_FILE_ENV] = `${SECRETS}/agent-jwe.key`;
    }
    // The agent start contract (docs/architecture.md) plus what the agent may know: it is
    // alone in a container (the Python agent then runs user code), and the allow-listed
    // environment every container gets (never a secret).
    const agentEnv: Record<string, string> = {
      ...env,
      WARMGATE_WORKSPACE: `${MOUNT}/workspace`,
      WARMGATE_AGENT_LISTEN: `${HOST}:0`,
      WARMGATE_AGENT_ISOLATION: 'container',
    };
    await serveStore(id);
    const agentPort = await startProcess(id, 'agent', profile, agentEnv, {}, signal, named);
    await startProcess(
      id,
      'sidecar',
      profile,
      { ...sidecarEnv, WARMGATE_SIDECAR_AGENT: `${HOST}:${agentPort}` },
      sidecarFiles,
      signal,
    );
    const record: DockerRecord = {
      id,
      profile: profile.name,
      createdAt,
      agentPort,
    };
    await writeRecord(record);
    records.set(id, record);
    expected.delete(id);
    return toContainer(record);
  }

  async function writeRecord(record: DockerRecord): Promise<void> {
    const path = join(files.dir(record.id), 'docker.json');
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, JSON.stringify(record), { mode: 0o600 });
    await rename(temp, path);
  }

  async function readRecord(id: string): Promise<DockerRecord | undefined> {
    try {
      return JSON.parse(await readFile(join(files.dir(id), 'docker.json'), 'utf8')) as DockerRecord;
    } catch {
      return undefined;
    }
  }

  async function claim(id: string, record: ClaimRecord): Promise<Container> {
    const container = records.get(id) ?? (await readRecord(id));
    if (!container) throw errors.notFound(`no Docker container ${id}`);
    await files.writeClaim(id, record);
    const claimed = toContainer(container, record);
    // Only once the claim is ours: the container is this user's from now on.
    const copied = await copyForBind(id, record);
    return copied ? { ...claimed, repositoryCopy: `${MOUNT}/${COPY}` } : claimed;
  }

  /**
   * The user's repository from the store into the container's own folder, owned by the
   * container's uid (repository-copy.ts: object files linked only where the container can
   * neither write nor chmod them, else copied). Not for public
   * mode (a template workspace) nor without a readable store; a failed copy only costs the
   * bind a clone over HTTP.
   */
  async function copyForBind(id: string, record: ClaimRecord): Promise<boolean> {
    const dir = options.store?.dir;
    if (dir === undefined || record.mode === AuthMode.PUBLIC) return false;
    try {
      await copyRepository(
        repoPathFor(dir, record.userId),
        join(box(id), COPY),
        uid === 0 ? { uid: 1000, gid: 1000 } : undefined,
      );
      return true;
    } catch (error) {
      options.log?.(
        `docker: ${id}: no copy of ${record.userId}'s repository, the bind clones it: ${String(error)}`,
      );
      return false;
    }
  }

  async function destroy(id: string): Promise<void> {
    expected.add(id);
    await Promise.all(
      (['sidecar', 'agent'] as const).map((role) =>
        docker
          .getContainer(dockerName(id, role))
          .remove({ force: true, v: true })
          .catch((error: { statusCode?: number }) => {
            // 404: already gone; 409: removal already in progress.
            if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
          }),
      ),
    );
    stopStore(id);
    // Files the container made are owned by its uid; the pool manager (root, or that uid)
    // can remove them.
    await chmod(box(id), 0o700).catch(() => {});
    await files.remove(id);
    records.delete(id);
    expected.delete(id);
  }

  async function list(): Promise<Container[]> {
    const found = await docker.listContainers({
      all: true,
      filters: { label: [`${POOL}=${pool}`] },
    });
    const running = new Map<string, Set<string>>();
    const ids = new Set(await files.ids());
    for (const info of found) {
      const id = info.Labels[CONTAINER];
      if (!id) continue;
      ids.add(id);
      const set = running.get(id) ?? new Set<string>();
      if (info.State === 'running') set.add(info.Labels[PROCESS] ?? '');
      running.set(id, set);
    }
    return Promise.all(
      [...ids].map(async (id): Promise<Container> => {
        const [record, claimRecord, draining] = await Promise.all([
          readRecord(id),
          files.readClaim(id),
          files.isDraining(id),
        ]);
        if (!record) {
          // Half-made (the pool manager died while creating it), or a stray container whose
          // folder is gone: only destroy applies.
          return {
            id,
            profile: '',
            mcpUrl: '',
            lifecycleAddress: '',
            createdAt: 0,
            phase: 'starting',
          };
        }
        records.set(id, record);
        const container = toContainer(record, claimRecord, draining);
        const alive = running.get(id);
        if (alive?.has('agent') && alive.has('sidecar')) {
          // Adopted after a restart: its store socket is served again by this process (a
          // failure here shows as that container's failing binds, not as a failed list).
          await serveStore(id).catch(() => {});
          return container;
        }
        stopStore(id);
        options.onDead?.(id);
        // Dead: never reach for the recorded ports, another process may listen there now.
        return { ...container, mcpUrl: '', lifecycleAddress: '' };
      }),
    );
  }

  return {
    kind: 'docker',
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
      deaths.close();
      for (const id of [...storeListeners.keys()]) stopStore(id);
    },
  };
}

async function readPort(readyFile: string): Promise<number | undefined> {
  try {
    const ready = JSON.parse(await readFile(readyFile, 'utf8')) as {
      ready?: boolean;
      port?: number;
    };
    return ready.ready === true && typeof ready.port === 'number' ? ready.port : undefined;
  } catch {
    return undefined;
  }
}

async function tail(container: Docker.Container): Promise<string> {
  try {
    const logs = await container.logs({ stdout: true, stderr: true, tail: 10 });
    // Multiplexed stream frames: an 8-byte header before each chunk.
    return stripFrames(logs).trim().slice(-2000) || '(no output)';
  } catch {
    return '(no logs)';
  }
}

function stripFrames(buffer: Buffer): string {
  const parts: string[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size).toString('utf8'));
    offset += 8 + size;
  }
  return parts.length > 0 ? parts.join('') : buffer.toString('utf8');
}
