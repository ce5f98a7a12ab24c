// The local runtime's sandbox (WARMGATE_POOL_SANDBOX=bubblewrap): each container process runs
// under bubblewrap (`bwrap`, Debian package `bubblewrap`) in its own mount, PID and IPC
// namespaces, seeing the machine read-only except:
//   - its own container folder (read-write: workspace, ready file, its secret files);
//   - the state dir (every other container's folder, pool.secret) and the store folder: empty;
//   - the operator's home: empty, except the code and the Node binary when they live there;
//   - /tmp: a fresh tmpfs; /proc: its own PID namespace only (no other process's environ).
// Network is shared (it reaches the pool manager's loopback store and its sidecar by TCP). It
// is no boundary against the kernel or against processes of another user: for that, use the
// Docker runtime. A helper other code may use too (i14a's Python indicator sandbox).
import { execFile } from 'node:child_process';
import { isAbsolute, relative } from 'node:path';
import { promisify } from 'node:util';

export interface SandboxView {
  /** The only folder the process may write (and, of the hidden ones, read). */
  readonly containerDir: string;
  /** Folders shown empty, and everything under them (the state dir, the store, $HOME). */
  readonly hidden: readonly string[];
  /** Folders under a hidden one shown read-only again (the code, the Node binary's prefix). */
  readonly readOnly: readonly string[];
}

const inside = (child: string, parent: string) => {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** The bwrap arguments that run `command args` in the view. */
export function bubblewrapArgs(view: SandboxView, command: string, args: readonly string[]) {
  // Mounts apply in order, each over the ones before: hide the outer folders, show the
  // code again, hide the inner ones (the state dir may sit inside the code's checkout), then
  // the container's own folder.
  // /tmp is a fresh tmpfs, like any hidden folder: code checked out under it is shown again.
  const hidden = [...new Set([...view.hidden, '/tmp'])].sort((a, b) => a.length - b.length);
  const outer = hidden.filter((h) => view.readOnly.some((r) => inside(r, h) && r !== h));
  const inner = hidden.filter((h) => !outer.includes(h));
  const shown = view.readOnly.filter((r) => outer.some((h) => inside(r, h)));
  return [
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    ...outer.flatMap((h) => ['--tmpfs', h]),
    ...shown.flatMap((r) => ['--ro-bind', r, r]),
    ...inner.flatMap((h) => ['--tmpfs', h]),
    '--bind',
    view.containerDir,
    view.containerDir,
    '--chdir',
    view.containerDir,
    '--',
    command,
    ...args,
  ];
}

/** Throws a message naming the setting when bwrap is missing or cannot make namespaces here. */
export async function checkBubblewrap(bwrap = 'bwrap'): Promise<void> {
  try {
    await promisify(execFile)(bwrap, [
      '--ro-bind',
      '/',
      '/',
      '--unshare-pid',
      '--proc',
      '/proc',
      '--',
      'true',
    ]);
  } catch (error) {
    throw new Error(
      `WARMGATE_POOL_SANDBOX=bubblewrap: cannot run ${bwrap} (${(error as Error).message.split('\n')[0]}); install the bubblewrap package (apt-get install bubblewrap) and allow unprivileged user namespaces, or use WARMGATE_POOL_RUNTIME=docker`,
      { cause: error },
    );
  }
}
