// Run in a service image's build stage (cwd /src) after the service is compiled:
//   node scripts/image-app.js @warmgate/gateway [/app]
// Gathers what the final stage copies: the root package.json, the service's production
// dependency closure from node_modules (its `dependencies`, their dependencies, optional and
// installed peer ones, as Node resolves them), and the package.json + dist/ of every workspace
// in that closure. Not `npm ci --omit=dev -w <service>` alone: npm also installs a workspace's
// devDependencies when another workspace depends on them for production (npm/cli#6670), which
// put the pool manager's Kubernetes client into the gateway image via a test-only dependency.
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

const [service, app = '/app'] = process.argv.slice(2);
if (!service) throw new Error('usage: node scripts/image-app.js <package name> [target dir]');
const src = process.cwd();
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Where Node finds `dep` from the package at `dir` (walking up to the root's node_modules). */
function resolveFrom(dir, dep) {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'node_modules', dep);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (at === src || at === dirname(at)) return undefined;
  }
}

const packages = new Set(); // node_modules paths (relative to src) to copy
const workspaces = new Set(); // workspace folders (relative to src) to copy package.json + dist of
const seen = new Set();

function visit(dir) {
  const real = realpathSync(dir);
  if (seen.has(real)) return;
  seen.add(real);
  const pkg = readJson(join(real, 'package.json'));
  const wanted = [
    ...Object.keys(pkg.dependencies ?? {}).map((name) => [name, true]),
    ...Object.keys(pkg.optionalDependencies ?? {}).map((name) => [name, false]),
    ...Object.keys(pkg.peerDependencies ?? {}).map((name) => [name, false]),
  ];
  for (const [name, required] of wanted) {
    const found = resolveFrom(real.startsWith(src) ? dir : real, name);
    if (found === undefined) {
      if (required) throw new Error(`${pkg.name}: dependency ${name} is not installed`);
      continue;
    }
    const path = relative(src, found);
    if (lstatSync(found).isSymbolicLink()) {
      // A workspace link (node_modules/@warmgate/x -> ../../x).
      workspaces.add(relative(src, realpathSync(found)));
    }
    packages.add(path);
    visit(found);
  }
}

const serviceDir = resolveFrom(src, service);
if (serviceDir === undefined) throw new Error(`${service} is not linked in node_modules`);
packages.add(relative(src, serviceDir));
workspaces.add(relative(src, realpathSync(serviceDir)));
visit(serviceDir);

mkdirSync(app, { recursive: true });
cpSync(join(src, 'package.json'), join(app, 'package.json'));
// A package inside another's folder (nested node_modules) comes with it.
const sorted = [...packages].sort();
const copied = [];
for (const path of sorted) {
  if (copied.some((parent) => path.startsWith(parent + sep))) continue;
  cpSync(join(src, path), join(app, path), { recursive: true, verbatimSymlinks: true });
  copied.push(path);
}
for (const folder of workspaces) {
  mkdirSync(join(app, folder), { recursive: true });
  cpSync(join(src, folder, 'package.json'), join(app, folder, 'package.json'));
  cpSync(join(src, folder, 'dist'), join(app, folder, 'dist'), { recursive: true });
}
console.log(
  `image-app: ${service}: ${packages.size - workspaces.size} packages, workspaces ${[...workspaces].sort().join(', ')}`,
);
