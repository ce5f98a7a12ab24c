// `npm run bench -- bind`: the agent container's own share of a connect, with real agent and
// sidecar processes and real git repositories:
//   small / large     = Lifecycle.Bind on a fresh warm container (gRPC over loopback, channel
//                       already open, as the pool manager holds it): restore the user's
//                       repository (10 files / 100 KB; 1,000 files / 10 MB) into the empty
//                       workspace and hand the binding to the agent
//   tool_call_direct  = an MCP client → agent tool call (read-only workspace_get), sequential
//   tool_call_write   = the same for a write (indicator_save: commit + push to the store)
//   *_in_sidecar      = the part of Bind spent inside the sidecar (BindResponse.duration_ms)
//   large_copy_baseline = a plain recursive copy of the same 1,000 checked-out files, timed
//                       right after each large Bind (same run, same load): per sample the
//                       faster of `cp -R` (coreutils, large_copy_cp) and Node's fs.cpSync
//                       (large_copy_cpsync) — the floor a restore that writes every file can
//                       reach; large_over_copy = large p50 / baseline p50 (goal: ≤ 1.5)
//   large_restore_in_process / large_copy_in_process = the same restore (restoreWorkspace: link
//                       the objects, write the files and the index) called in this process,
//                       against cpSync of the checked-out files, alternating: wall and CPU
//                       time (process.cpuUsage, thread pool included) without gRPC or the
//                       agent; restore_cpu_over_copy_cpu = their CPU p50s' ratio. On a busy
//                       machine CPU time is the steadier figure: wall time is CPU × the queue.
//   large_restore_loose_in_process = the same restore from the repository as the store kept it
//                       before each push stayed one pack (a loose file per object);
//                       loose_cpu_over_packed_cpu = its CPU p50 over the packed one's.
// The store's repositories are made as the store keeps them: one push, kept as one pack.
// `-- bind --quick` takes fewer samples (for a loaded machine).
// Agents (issue 14): every figure for each of `--agents=` (default typescript,python, see
// agents.ts) in the same run, then each later agent over the first (python / typescript).
// The data-plane agents (python, typescript-mcp) run as the local runtime runs them: the agent
// on a Unix socket, the sidecar in front; their `tool_call_*` go through the sidecar, whose
// write path commits and pushes.
// Containers are started in batches ahead of the timed section; every sample binds a
// different user on a container nobody bound before.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AuthMode } from '@warmgate/proto';
import { restoreWorkspace } from '@warmgate/agent';
import { repoUrlFor, signAssertion } from '@warmgate/contract';
import {
  agentCommands,
  startAgentContainer,
  startDataPlaneContainer,
  type AgentContainer,
} from '@warmgate/testkit';
import { benchAgents, prepareAgents, ratioRows, ratios, type BenchAgent } from './agents.js';
import { printTable, summarize, timeSequential, writeResult, type Summary } from './harness.js';
import { makeStoreRepository } from './store-repository.js';

const quick = process.argv.includes('--quick');
// WARMGATE_BENCH_BIND_STORE=loose: the Binds restore from the layout the store kept before
// each push stayed one pack (a loose file per object), for a before/after on one machine.
const looseStore = process.env.WARMGATE_BENCH_BIND_STORE === 'loose';
const repos = {
  small: { files: 10, bytes: 100 * 1024, samples: quick ? 12 : 40 },
  large: { files: 1000, bytes: 10 * 1024 * 1024, samples: quick ? 6 : 12 },
};
const batch = 6;
const toolCalls = quick ? 100 : 200;

/** What a sample needs of a container, whichever agent it runs. */
type Container = Pick<AgentContainer, 'lifecycle' | 'mcpUrl' | 'stop'>;

export async function run(): Promise<void> {
  const agents = benchAgents();
  await prepareAgents(agents);
  const sandbox = mkdtempSync(join(tmpdir(), 'warmgate-bench-bind-'));
  const store = join(sandbox, 'store');
  mkdirSync(store);
  const open: Container[] = [];
  const loadBefore = loadavg()[0]!;
  try {
    const repositories = makeRepositories(sandbox);
    const measured: Record<string, Awaited<ReturnType<typeof measureAgent>>> = {};
    for (const agent of agents) {
      measured[agent] = await measureAgent(agent, sandbox, store, open, repositories);
      const { figures, largeOverCopy, load } = measured[agent];
      printTable(
        `${agent} agent: Lifecycle.Bind and tool calls (ms; load average ${load.toFixed(2)})`,
        [...Object.entries(figures).map(([what, s]) => ({ what, ...s }))],
      );
      console.log(
        `\n${agent}: large bind / plain copy of the same files (p50): ${largeOverCopy}× (goal ≤ 1.5; ` +
          `load average ${load.toFixed(2)})`,
      );
    }
    const inProcess = await restoreInProcess(sandbox, store, repositories, quick ? 4 : 8);
    const restoreCpuOverCopyCpu =
      Math.round(
        (inProcess.large_restore_in_process_cpu.p50_ms /
          inProcess.large_copy_in_process_cpu.p50_ms) *
          100,
      ) / 100;
    const looseCpuOverPackedCpu =
      Math.round(
        (inProcess.large_restore_loose_in_process_cpu.p50_ms /
          inProcess.large_restore_in_process_cpu.p50_ms) *
          100,
      ) / 100;
    printTable(
      `the large restore in this process vs a plain copy (ms; load average ${loadavg()[0]!.toFixed(2)})`,
      Object.entries(inProcess).map(([what, s]) => ({ what, ...s })),
    );
    console.log(
      `\nin process, restore CPU / copy CPU (p50): ${restoreCpuOverCopyCpu}× ` +
        `(load average ${loadavg()[0]!.toFixed(2)}); from loose objects / from one pack: ` +
        `${looseCpuOverPackedCpu}×`,
    );
    const [first, ...others] = agents;
    const base = measured[first!]!;
    const compared: Record<string, unknown> = {};
    for (const other of others) {
      printTable(
        `${other} / ${first} in this run (load average after each agent's part: ` +
          `${first} ${base.load.toFixed(2)}, ${other} ${measured[other]!.load.toFixed(2)})`,
        ratioRows(first!, other, {
          [first!]: base.figures,
          [other]: measured[other]!.figures,
        }),
      );
      compared[`${other.replace('-', '_')}_over_${first!.replace('-', '_')}`] = ratios(
        base.figures,
        measured[other]!.figures,
      );
    }
    const fields = (m: typeof base) => ({
      small: m.figures.small,
      large: m.figures.large,
      large_copy_baseline: m.figures.large_copy_baseline,
      large_copy_cp: m.figures.large_copy_cp,
      large_copy_cpsync: m.figures.large_copy_cpsync,
      large_over_copy: m.largeOverCopy,
      tool_call_direct: m.figures.tool_call_direct,
      tool_call_write: m.figures.tool_call_write,
      small_in_sidecar: m.figures.small_in_sidecar,
      large_in_sidecar: m.figures.large_in_sidecar,
      load_average: m.load,
    });
    writeResult('bind', {
      // The top-level figures are the first agent's (typescript by default), as before.
      agent: first,
      ...fields(base),
      agents: Object.fromEntries(agents.map((agent) => [agent, fields(measured[agent]!)])),
      ...compared,
      ...inProcess,
      restore_cpu_over_copy_cpu: restoreCpuOverCopyCpu,
      loose_cpu_over_packed_cpu: looseCpuOverPackedCpu,
      // 1-minute load average before and after: on a shared machine it explains the tails.
      load_average: { before: loadBefore, after: loadavg()[0]! },
      repos,
      goal: 'small-repo bind p99 < 50 ms',
      store_layout: looseStore ? 'loose' : 'packed',
      ...(quick ? { quick: true } : {}),
    });
  } finally {
    await Promise.all(open.map(stopContainer));
    rmSync(sandbox, { recursive: true, force: true });
  }
}

/**
 * The large repository's restore in this process vs a plain copy of its files, alternating:
 * wall time and CPU time of each (see the header).
 */
async function restoreInProcess(
  sandbox: string,
  store: string,
  repositories: Repositories,
  samples: number,
) {
  const times: Record<string, number[]> = {};
  const add = (name: string, value: number) => (times[name] ??= []).push(value);
  const timed = async (name: string, work: () => unknown) => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await work();
    add(name, performance.now() - started);
    const used = process.cpuUsage(cpu);
    add(`${name}_cpu`, (used.user + used.system) / 1000);
  };
  const { source, checkedOut } = repositories.large;
  const restore = async (name: string, from: string, i: number) => {
    const userId = `${name}-${i}`;
    cpSync(from, join(store, `${userId}.git`), { recursive: true });
    const workspace = join(sandbox, `${name}-${i}`);
    mkdirSync(workspace);
    await timed(name, () =>
      restoreWorkspace({ url: repoUrlFor(store, userId), ephemeral: false }, workspace, ''),
    );
    rmSync(workspace, { recursive: true, force: true });
  };
  for (let i = 0; i < samples; i++) {
    await restore('large_restore_in_process', source, i);
    await restore('large_restore_loose_in_process', source.replace(/\.git$/, '-loose.git'), i);
    const copy = join(sandbox, `in-process-copy-${i}`);
    await timed('large_copy_in_process', () => cpSync(checkedOut, copy, { recursive: true }));
    rmSync(copy, { recursive: true, force: true });
  }
  return {
    large_restore_in_process: summarize(times.large_restore_in_process!),
    large_restore_in_process_cpu: summarize(times.large_restore_in_process_cpu!),
    large_restore_loose_in_process: summarize(times.large_restore_loose_in_process!),
    large_restore_loose_in_process_cpu: summarize(times.large_restore_loose_in_process_cpu!),
    large_copy_in_process: summarize(times.large_copy_in_process!),
    large_copy_in_process_cpu: summarize(times.large_copy_in_process_cpu!),
  };
}

type Repositories = Record<keyof typeof repos, { source: string; checkedOut: string }>;

/** Each repository of `repos` as a bare repository, and its files checked out (no .git). */
function makeRepositories(sandbox: string): Repositories {
  const made = {} as Repositories;
  for (const [name, repo] of Object.entries(repos) as [keyof typeof repos, typeof repos.small][]) {
    const source = makeRepository(sandbox, name, repo.files, repo.bytes);
    // The files makeRepository committed, without .git: what a restore writes.
    const checkedOut = join(sandbox, `files-${name}`);
    cpSync(join(sandbox, `repo-${name}`), checkedOut, {
      recursive: true,
      filter: (path) => !path.endsWith('/.git'),
    });
    made[name] = { source, checkedOut };
  }
  return made;
}

/** Every Bind and tool-call figure of one agent, on containers of its own. */
async function measureAgent(
  agent: BenchAgent,
  sandbox: string,
  store: string,
  open: Container[],
  repositories: Repositories,
) {
  const results: Record<string, ReturnType<typeof summarize>> = {};
  const copies: number[] = [];
  const cpSyncCopies: number[] = [];
  const cpCopies: number[] = [];
  for (const [name, repo] of Object.entries(repos)) {
    const { checkedOut, ...layouts } = repositories[name as keyof typeof repos];
    const source = looseStore ? layouts.source.replace(/\.git$/, '-loose.git') : layouts.source;
    const samples: number[] = [];
    const inSidecar: number[] = [];
    for (let done = 0; done < repo.samples; done += batch) {
      const size = Math.min(batch, repo.samples - done);
      const containers = await Promise.all(
        Array.from({ length: size }, (_, i) =>
          startContainer(sandbox, `${agent}-${name}-${done + i}`, agent),
        ),
      );
      open.push(...containers);
      for (const [i, container] of containers.entries()) {
        const userId = `${agent}-${name}-user-${done + i}`;
        cpSync(source, join(store, `${userId}.git`), { recursive: true });
        const started = performance.now();
        const response = await container.lifecycle.bind(bindRequest(store, userId));
        samples.push(performance.now() - started);
        inSidecar.push(response.durationMs);
        if (name === 'large') {
          const target = join(sandbox, `copy-${userId}`);
          const cp = plainCopy(checkedOut, target, 'cp');
          const cpSyncMs = plainCopy(checkedOut, target, 'cpSync');
          cpCopies.push(cp);
          cpSyncCopies.push(cpSyncMs);
          copies.push(Math.min(cp, cpSyncMs));
        }
      }
      await Promise.all(containers.map(stopContainer));
      open.splice(0, open.length);
    }
    results[name] = summarize(samples);
    results[`${name}_in_sidecar`] = summarize(inSidecar);
  }
  results.large_copy_baseline = summarize(copies);
  results.large_copy_cp = summarize(cpCopies);
  results.large_copy_cpsync = summarize(cpSyncCopies);
  const largeOverCopy =
    Math.round((results.large!.p50_ms / results.large_copy_baseline.p50_ms) * 100) / 100;
  const tools = await toolCallLatency(sandbox, store, open, agent);
  const figures: Record<string, Summary> = { ...results, ...tools };
  return { figures, largeOverCopy, load: loadavg()[0]! };
}

async function toolCallLatency(
  sandbox: string,
  store: string,
  open: Container[],
  agent: BenchAgent,
) {
  const container = await startContainer(sandbox, `${agent}-tools`, agent);
  open.push(container);
  const request = bindRequest(store, `${agent}-tool-user`);
  await container.lifecycle.bind(request);
  const token = await signAssertion(request.assertionKey, {
    userId: request.userId,
    bindingId: request.bindingId,
  });
  const client = new Client({ name: 'bench', version: '0' });
  await client.connect(
    new StreamableHTTPClientTransport(container.mcpUrl, {
      requestInit: { headers: { 'x-warmgate-assertion': token } },
    }),
  );
  try {
    const read = await timeSequential(
      toolCalls,
      () => client.callTool({ name: 'workspace_get', arguments: {} }),
      30,
    );
    const write = await timeSequential(
      Math.floor(toolCalls / 3),
      (i) =>
        client.callTool({
          name: 'indicator_save',
          arguments: { name: `bench-${i + 1000}`, spec: { indicator: 'sma', period: 5 } },
        }),
      5,
    );
    return { tool_call_direct: summarize(read), tool_call_write: summarize(write) };
  } finally {
    await client.close();
    // Stopped here: the next agent's batches reuse `open`.
    open.splice(open.indexOf(container), 1);
    await stopContainer(container);
  }
}

function bindRequest(store: string, userId: string) {
  return {
    bindingId: `bench-${userId}`,
    userId,
    tier: 'bench',
    mode: AuthMode.GATEWAY,
    assertionKey: new Uint8Array(32).fill(3),
    repository: { url: repoUrlFor(store, userId), credential: '', ephemeral: false },
  };
}

async function startContainer(sandbox: string, id: string, agent: BenchAgent): Promise<Container> {
  const workspace = join(sandbox, 'containers', id);
  mkdirSync(workspace, { recursive: true });
  if (agent !== 'typescript') {
    // Behind the sidecar's data plane, as the local runtime runs a named agent.
    const container = await startDataPlaneContainer({
      workspace,
      agentCommand: agentCommands[agent],
      sidecarSecret: `bench-sidecar-${id}-0123456789`,
      stderr: 'keep', // the Python agent logs every MCP session; the sidecar's start errors are kept
    });
    await container.lifecycle.getStatus({});
    return container;
  }
  const container = await startAgentContainer({
    workspace,
    sidecarSecret: `bench-sidecar-${id}-0123456789`,
  });
  await container.lifecycle.getStatus({}); // open the channel, as the pool manager's health check does
  return container;
}

function stopContainer(container: Container): Promise<void> {
  return container.stop();
}

/** Copies a folder recursively with `cp -R` or Node's cpSync; returns ms. */
function plainCopy(from: string, to: string, how: 'cp' | 'cpSync'): number {
  const started = performance.now();
  if (how === 'cp') execFileSync('cp', ['-R', from, to]);
  else cpSync(from, to, { recursive: true });
  const ms = performance.now() - started;
  rmSync(to, { recursive: true, force: true });
  return ms;
}

/** A bare repository as the store keeps it (one pack), and beside it the old loose layout. */
function makeRepository(sandbox: string, name: string, files: number, bytes: number): string {
  const { bare, work } = makeStoreRepository(sandbox, name, {
    files,
    bytes,
    folders: ['indicators', 'strategies', 'conversations', 'notes'],
    seed: 11,
  });
  // As the store kept it before: one loose file per object (a local `git clone --bare` links
  // them), for the in-process comparison.
  const loose = join(sandbox, `repo-${name}-loose.git`);
  execFileSync('git', ['clone', '-q', '--bare', work, loose], { stdio: 'ignore' });
  return bare;
}
