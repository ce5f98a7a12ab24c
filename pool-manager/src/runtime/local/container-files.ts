import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, readdir, rm, unlink, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, WarmgateError } from '@warmgate/proto';
import type { ClaimRecord } from '../runtime.js';

/**
 * The on-disk record of one local container, under `<stateDir>/<id>/`:
 *   agent.pid, sidecar.pid   written right after each spawn (so even a half-made container
 *                            can be destroyed by a restarted pool manager)
 *   container.json           written once both processes are ready (the container is warm)
 *   claim.json               the claim (0600: it holds the binding's assertion key)
 *   control.token            0600: the agent's control API token (agent + sidecar)
 *   sidecar.secret           0600: the sidecar's Lifecycle secret (sidecar only)
 *   agent-jwe.key            0600: the direct-mode JWE private key, when configured
 *   draining                 marker: the container is being drained
 *   *.ready.json, *.log      the processes' ready files and output
 *   workspace/               the shared scratch workspace
 *   tmp/                     the processes' TMPDIR: what they leave there (a sidecar killed
 *                            with SIGKILL leaves its first-time-user template) goes with the
 *                            folder when the container is destroyed
 */
export interface ContainerRecord {
  id: string;
  profile: string;
  createdAt: number;
  agent: { pid: number; port: number };
  sidecar: { pid: number; port: number };
}

export type Role = 'agent' | 'sidecar';

export class ContainerFiles {
  constructor(readonly stateDir: string) {}

  dir(id: string): string {
    return join(this.stateDir, id);
  }

  workspace(id: string): string {
    return join(this.dir(id), 'workspace');
  }

  readyFile(id: string, role: Role): string {
    return join(this.dir(id), `${role}.ready.json`);
  }

  /** A 0600 secret file of the container (control.token, sidecar.secret, agent-jwe.key). */
  secretFile(id: string, name: string): string {
    return join(this.dir(id), name);
  }

  /** The container processes' TMPDIR, removed with the container's folder. */
  tmp(id: string): string {
    return join(this.dir(id), 'tmp');
  }

  logFile(id: string, role: Role): string {
    return join(this.dir(id), `${role}.log`);
  }

  async make(id: string): Promise<void> {
    await mkdir(this.workspace(id), { recursive: true });
    await mkdir(this.tmp(id), { mode: 0o700 });
  }

  async ids(): Promise<string[]> {
    const entries = await readdir(this.stateDir, { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  }

  writePid(id: string, role: Role, pid: number): Promise<void> {
    return writeFile(join(this.dir(id), `${role}.pid`), String(pid));
  }

  async pids(id: string): Promise<number[]> {
    const read = (role: Role) =>
      readFile(join(this.dir(id), `${role}.pid`), 'utf8').then(Number, () => NaN);
    const pids = await Promise.all([read('agent'), read('sidecar')]);
    return pids.filter((pid) => Number.isInteger(pid) && pid > 1);
  }

  writeRecord(record: ContainerRecord): Promise<void> {
    return atomicWrite(join(this.dir(record.id), 'container.json'), JSON.stringify(record));
  }

  readRecord(id: string): Promise<ContainerRecord | undefined> {
    return readJson<ContainerRecord>(join(this.dir(id), 'container.json'));
  }

  /**
   * Writes the claim exclusively: the record goes to a temp file, which is then hard-linked
   * to claim.json. link() is atomic and fails if claim.json exists, so of two claimers exactly
   * one wins (a rename would silently replace the winner's claim).
   */
  async writeClaim(id: string, claim: ClaimRecord): Promise<void> {
    const target = join(this.dir(id), 'claim.json');
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, JSON.stringify(claim), { mode: 0o600 });
    try {
      await link(temp, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new WarmgateError(ErrorCode.ABORTED, `container ${id} is already claimed`);
      }
      throw error;
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  readClaim(id: string): Promise<ClaimRecord | undefined> {
    return readJson<ClaimRecord>(join(this.dir(id), 'claim.json'));
  }

  markDraining(id: string): Promise<void> {
    return writeFile(join(this.dir(id), 'draining'), '');
  }

  isDraining(id: string): Promise<boolean> {
    return readFile(join(this.dir(id), 'draining')).then(
      () => true,
      () => false,
    );
  }

  remove(id: string): Promise<void> {
    return rm(this.dir(id), { recursive: true, force: true, maxRetries: 3 });
  }
}

async function atomicWrite(path: string, text: string): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
