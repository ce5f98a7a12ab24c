// What a test started and must not outlive it: every entry process spawnEntry started and every
// pool sandbox makePoolSandbox made (whose container processes lead their own process groups).
// A test that times out under load skips its own clean-up steps, and its body may even go on
// running after the file's hooks; killLeftovers (the integration projects' setup file runs it
// after every file, and at exit) SIGKILLs whatever is still alive, by process group. After it
// ran, a late spawn from such a body is killed at once.
import type { ChildProcess } from 'node:child_process';
import { killContainers, killProcessGroup } from './container-processes.js';

const children = new Set<ChildProcess>();
const sandboxDirs = new Set<string>();
let closed = false;

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Remembers a child until it exits; after killLeftovers, kills it at once. */
export function trackChild(child: ChildProcess): void {
  if (closed) {
    killChild(child);
    return;
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Remembers a sandbox folder whose container processes killLeftovers kills. */
export function trackSandbox(dir: string): () => void {
  sandboxDirs.add(dir);
  return () => sandboxDirs.delete(dir);
}

function killChild(child: ChildProcess): void {
  if (!alive(child) || child.pid === undefined) return;
  killProcessGroup(child.pid); // its group when it leads one (detached), else itself
}

/**
 * SIGKILLs every tracked child still alive and every container process under a tracked
 * sandbox; returns how many it found. Synchronous, so it can run in an exit handler.
 * With `close`, children tracked later are killed as they start (see trackChild).
 */
export function killLeftovers(options: { close?: boolean } = {}): number {
  if (options.close) closed = true;
  let found = 0;
  for (const child of children) {
    if (alive(child)) found++;
    killChild(child);
  }
  children.clear();
  for (const dir of sandboxDirs) found += killContainers(dir);
  return found;
}

/** Accepts children again (a test file's start, when workers are reused). */
export function reopenLeftovers(): void {
  closed = false;
}
