// `node scripts/cpu-profile-top.js DIR [top]`: where the time goes in the V8 CPU profiles
// (.cpuprofile, from `node --cpu-prof`) in DIR. Profiles are grouped by process role (stack =
// gateway + pool manager, agent, sidecar, other: told apart by the scripts they loaded), and
// for each role prints the CPU time and the functions with the most self time, with their share
// of that role's busy (non-idle) time, and the share by package (node_modules/<pkg>, the
// project's own packages, node: internals, GC).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, topArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node scripts/cpu-profile-top.js DIR [top]');
  process.exit(2);
}
const top = Number(topArg ?? 15);

function roleOf(nodes) {
  const urls = nodes.map((n) => n.callFrame.url);
  if (urls.some((u) => u.includes('/gateway/dist/'))) return 'stack (gateway + pool manager)';
  if (urls.some((u) => u.includes('/sidecar/'))) return 'sidecar';
  if (urls.some((u) => u.includes('/agent/dist/'))) return 'agent';
  return 'other';
}

function packageOf(frame) {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return '(program: V8/native, no JS frame)';
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node: internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const own = /\/(agent|gateway|pool-manager|proto|loadtest)\/dist\//.exec(url);
  return own ? `@warmgate/${own[1]}` : url;
}

const roles = new Map();
for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  // timeDeltas[i] is the time before samples[i]; attribute it to the sampled node.
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const role = roleOf(profile.nodes);
  const r = roles.get(role) ?? { files: 0, totalUs: 0, idleUs: 0, fns: new Map(), pkgs: new Map() };
  r.files++;
  for (const [id, us] of self) {
    const node = byId.get(id);
    const f = node.callFrame;
    r.totalUs += us;
    if (f.functionName === '(idle)') {
      r.idleUs += us;
      continue;
    }
    const short = f.url ? f.url.replace(/^.*\/(node_modules|dist)\//, '$1/') : '';
    const key = `${f.functionName || '(anonymous)'} ${short}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    r.fns.set(key, (r.fns.get(key) ?? 0) + us);
    const pkg = packageOf(f);
    r.pkgs.set(pkg, (r.pkgs.get(pkg) ?? 0) + us);
  }
  roles.set(role, r);
}

const ms = (us) => (us / 1000).toFixed(0);
for (const [role, r] of roles) {
  const busy = r.totalUs - r.idleUs;
  console.log(
    `\n## ${role}: ${r.files} process(es), busy ${ms(busy)} ms of ${ms(r.totalUs)} ms profiled`,
  );
  const share = (us) => `${((100 * us) / busy).toFixed(1)}%`;
  console.log('\nby package:');
  for (const [pkg, us] of [...r.pkgs].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(`  ${share(us).padStart(6)}  ${ms(us).padStart(7)} ms  ${pkg}`);
  console.log(`\ntop ${top} functions (self time):`);
  for (const [fn, us] of [...r.fns].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${share(us).padStart(6)}  ${ms(us).padStart(7)} ms  ${fn}`);
}
