// Where the CPU goes in a set of V8 CPU profiles (`node --cpu-prof`): profiles are grouped by
// process role (stack = gateway + pool manager in one process, agent, sidecar; told apart by
// the scripts they loaded), and each role gets its busy (non-idle) CPU time, the share by
// package (node_modules/<pkg>, the project's own packages, node: internals, GC) and the
// functions with the most self time.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  readonly name: string;
  readonly ms: number;
  /** Of the role's busy time, 0..1. */
  readonly share: number;
}

export interface RoleProfile {
  readonly role: string;
  readonly processes: number;
  readonly busy_ms: number;
  readonly profiled_ms: number;
  readonly packages: Share[];
  readonly functions: Share[];
}

export function roleOf(urls: readonly string[]): string {
  if (urls.some((u) => u.includes('/gateway/dist/'))) return 'stack';
  if (urls.some((u) => u.includes('/agent/dist/sidecar/'))) return 'sidecar';
  if (urls.some((u) => u.includes('/agent/dist/'))) return 'agent';
  return 'other';
}

export function packageOf(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return '(program: V8 and native, no JS frame)';
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node: internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const [first = '', second = ''] = url.slice(nm + 14).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  const own = /\/(agent|gateway|pool-manager|proto|loadtest)\/dist\//.exec(url);
  return own ? `@warmgate/${own[1]}` : url;
}

/** node_modules/<pkg>/…, <workspace package>/dist/…, or the URL as it is. */
function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + 1);
  return /(agent|gateway|pool-manager|proto|loadtest)\/dist\/.*$/.exec(url)?.[0] ?? url;
}

/**
 * Summarises every .cpuprofile in `dir`, `top` functions and packages per role; with `windows`
 * (CLOCK_MONOTONIC µs, as `process.hrtime.bigint() / 1000n` and V8's profile clock), only the
 * samples taken inside one of them.
 */
export function summariseProfiles(
  dir: string,
  top = 12,
  windows?: readonly (readonly [number, number])[],
): RoleProfile[] {
  const roles = new Map<
    string,
    {
      processes: number;
      total: number;
      idle: number;
      fns: Map<string, number>;
      pkgs: Map<string, number>;
    }
  >();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const role = roleOf(profile.nodes.map((n) => n.callFrame.url));
    const r = roles.get(role) ?? {
      processes: 0,
      total: 0,
      idle: 0,
      fns: new Map<string, number>(),
      pkgs: new Map<string, number>(),
    };
    roles.set(role, r);
    r.processes++;
    // timeDeltas[i] is the time (µs) before samples[i]: attribute it to the sampled node.
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas[i] ?? 0;
      at += us;
      if (windows && !windows.some(([from, to]) => at >= from && at <= to)) return;
      const frame = byId.get(id)?.callFrame;
      if (!frame) return;
      r.total += us;
      if (frame.functionName === '(idle)') {
        r.idle += us;
        return;
      }
      const where = frame.url ? ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
      const fn = `${frame.functionName || '(anonymous)'}${where}`;
      r.fns.set(fn, (r.fns.get(fn) ?? 0) + us);
      const pkg = packageOf(frame.functionName, frame.url);
      r.pkgs.set(pkg, (r.pkgs.get(pkg) ?? 0) + us);
    });
  }
  return [...roles].map(([role, r]) => {
    const busy = r.total - r.idle;
    const shares = (map: Map<string, number>) =>
      [...map]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([name, us]) => ({
          name,
          ms: Math.round(us / 1000),
          share: busy > 0 ? Math.round((us / busy) * 1000) / 1000 : 0,
        }));
    return {
      role,
      processes: r.processes,
      busy_ms: Math.round(busy / 1000),
      profiled_ms: Math.round(r.total / 1000),
      packages: shares(r.pkgs),
      functions: shares(r.fns),
    };
  });
}

export function printProfiles(roles: readonly RoleProfile[]): void {
  for (const r of roles) {
    console.log(
      `\n${r.role}: ${r.processes} process(es), busy ${r.busy_ms} ms of ${r.profiled_ms} ms profiled`,
    );
    const line = (s: Share) =>
      `  ${`${(s.share * 100).toFixed(1)}%`.padStart(6)} ${String(s.ms).padStart(7)} ms  ${s.name}`;
    console.log(' by package:');
    r.packages.forEach((s) => console.log(line(s)));
    console.log(' by function (self time):');
    r.functions.forEach((s) => console.log(line(s)));
  }
}
