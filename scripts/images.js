// `npm run images`: builds warmgate/agent, warmgate/agent-py, warmgate/gateway and warmgate/pool-manager (tag dev)
// from the repository's Dockerfiles on a locally made base image, and prints their sizes. The
// first three start from one shared build stage (scripts/build-stage.Dockerfile,
// warmgate/build:<tag>), built first.
//
// No image registry is reachable here, so the base is made locally: a debootstrap of Debian
// bookworm (minbase + ca-certificates, git, tini), Node 22 from the npm registry's `node`
// package (node_modules/node) and npm. It is tagged by a content key (Node version, npm
// version, this recipe), so a rerun reuses it; the image builds reuse Docker's layer cache.
// Every heavy step runs under `flock /tmp/warmgate-heavy.lock` (the machine is shared).
//
//   npm run images                 build what is missing or changed
//   npm run images -- --base-only  only the base image
//   WARMGATE_BASE_IMAGE=node:22-bookworm-slim npm run images   use a pulled base instead
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const LOCK = '/tmp/warmgate-heavy.lock';
const TAG = process.env.WARMGATE_IMAGE_TAG || 'dev';
export const IMAGES = ['agent', 'agent-py', 'gateway', 'pool-manager'];
const started = Date.now();
const say = (message) =>
  console.error(`images [${((Date.now() - started) / 1000).toFixed(0)}s]: ${message}`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`,
    );
  }
}
// Under `flock /tmp/warmgate-heavy.lock npx vitest run ...` (the Docker tests build the agent
// image), an ancestor already holds the lock: a second flock on it would wait for ever.
const heavy = (command, args, options) =>
  lockHeldByAncestor()
    ? run(command, args, options)
    : run('flock', [LOCK, command, ...args], options);

/** True when a process above this one is `flock <LOCK> ...` (Linux /proc). */
function lockHeldByAncestor() {
  let pid = process.ppid;
  for (let depth = 0; pid > 1 && depth < 64; depth++) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (args[0]?.endsWith('flock') && args.includes(LOCK)) return true;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return false;
    }
  }
  return false;
}
const quiet = (command, args) => spawnSync(command, args, { encoding: 'utf8' });
const imageExists = (name) => quiet('docker', ['image', 'inspect', name]).status === 0;

function ensureDocker() {
  run('bash', [
    join(root, 'scripts/ensure-docker.sh'),
    process.env.WARMGATE_DOCKERD_PID_FILE ?? '',
  ]);
}

/** The Node 22 binary a user of this repository already has (the npm `node` package). */
function nodeBinary() {
  const path = join(root, 'node_modules/node/bin/node');
  const version = quiet(path, ['--version']).stdout?.trim();
  if (!version?.startsWith('v22.')) {
    throw new Error(`${path} is not Node 22 (got ${version ?? 'nothing'}); run npm ci first`);
  }
  return { path, version };
}

function npmFolder() {
  const global = quiet('npm', ['root', '-g']).stdout.trim();
  const folder = join(global, 'npm');
  const version = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).version;
  return { folder, version };
}

const BASE_PACKAGES = ['ca-certificates', 'git', 'tini'];
/** Bump when the base recipe below changes (the key must change with what is in the image). */
const BASE_RECIPE = 2;
/** The host's CA bundle: the base trusts what the host that made it trusts (e.g. a TLS proxy in front of the registries). */
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

function baseImage() {
  if (process.env.WARMGATE_BASE_IMAGE) return process.env.WARMGATE_BASE_IMAGE;
  const node = nodeBinary();
  const npm = npmFolder();
  const key = createHash('sha256')
    .update(JSON.stringify({ node: node.version, npm: npm.version, BASE_PACKAGES, BASE_RECIPE }))
    .update(existsSync(HOST_CA_BUNDLE) ? readFileSync(HOST_CA_BUNDLE) : '')
    .digest('hex')
    .slice(0, 12);
  const name = `warmgate/base:${key}`;
  if (imageExists(name)) {
    say(`base image ${name} is cached (Node ${node.version}, npm ${npm.version})`);
    return name;
  }
  if (process.getuid?.() !== 0) throw new Error('making the base image needs root (debootstrap)');
  const work = mkdtempSync(join(tmpdir(), 'warmgate-base-'));
  const rootfs = join(work, 'rootfs');
  try {
    say(
      `making base image ${name}: debootstrap bookworm minbase + ${BASE_PACKAGES.join(', ')} (about 40 s)`,
    );
    heavy('debootstrap', [
      '--variant=minbase',
      `--include=${BASE_PACKAGES.join(',')}`,
      'bookworm',
      rootfs,
      process.env.WARMGATE_DEBIAN_MIRROR || 'http://deb.debian.org/debian',
    ]);
    say(`adding Node ${node.version} and npm ${npm.version}`);
    cpSync(node.path, join(rootfs, 'usr/local/bin/node'));
    cpSync(npm.folder, join(rootfs, 'usr/local/lib/node_modules/npm'), { recursive: true });
    execFileSync('ln', [
      '-sf',
      '../lib/node_modules/npm/bin/npm-cli.js',
      join(rootfs, 'usr/local/bin/npm'),
    ]);
    execFileSync('ln', [
      '-sf',
      '../lib/node_modules/npm/bin/npx-cli.js',
      join(rootfs, 'usr/local/bin/npx'),
    ]);
    if (existsSync(HOST_CA_BUNDLE)) {
      say(`trusting the host's CA bundle (${HOST_CA_BUNDLE}) for npm and git in the image builds`);
      cpSync(HOST_CA_BUNDLE, join(rootfs, 'etc/ssl/certs/ca-certificates.crt'));
    }
    // npm uses Node's own CA list unless told otherwise.
    mkdirSync(join(rootfs, 'usr/local/etc'), { recursive: true });
    writeFileSync(
      join(rootfs, 'usr/local/etc/npmrc'),
      'cafile=/etc/ssl/certs/ca-certificates.crt\n',
    );
    // The `node` user (uid 1000) of the official image, so the Dockerfiles' USER node works.
    writeFileSync(join(rootfs, 'etc/passwd'), 'node:x:1000:1000::/home/node:/bin/bash\n', {
      flag: 'a',
    });
    writeFileSync(join(rootfs, 'etc/group'), 'node:x:1000:\n', { flag: 'a' });
    mkdirSync(join(rootfs, 'home/node'), { recursive: true });
    execFileSync('chown', ['1000:1000', join(rootfs, 'home/node')]);
    for (const junk of [
      'var/cache/apt/archives',
      'var/lib/apt/lists',
      'usr/share/doc',
      'usr/share/man',
      'usr/share/locale',
    ]) {
      rmSync(join(rootfs, junk), { recursive: true, force: true });
      mkdirSync(join(rootfs, junk), { recursive: true });
    }
    say(`importing ${name}`);
    run('bash', [
      '-c',
      `tar -C "${rootfs}" -c . | docker import` +
        ` --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'` +
        ` --change 'CMD ["node"]' - "${name}"`,
    ]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return name;
}

/** The build stage agent, gateway and pool-manager share (scripts/build-stage.Dockerfile). */
const BUILD_STAGE = `warmgate/build:${TAG}`;
const USES_BUILD_STAGE = ['agent', 'gateway', 'pool-manager'];

function dockerBuild(base, dockerfile, name, extraArgs = []) {
  // Host networking: the daemon runs without a default bridge; npm ci reaches the registry.
  heavy(
    'docker',
    [
      'build',
      // A failed step's container is removed too (the legacy builder keeps it otherwise).
      '--force-rm',
      '--network',
      'host',
      '--build-arg',
      `BASE_IMAGE=${base}`,
      ...extraArgs,
      '-f',
      dockerfile,
      '-t',
      name,
      '.',
    ],
    { cwd: root, env: { ...process.env, DOCKER_BUILDKIT: '0' } },
  );
}

function build(base, only) {
  if (only.some((image) => USES_BUILD_STAGE.includes(image))) {
    say(`building the shared build stage ${BUILD_STAGE} on ${base}`);
    dockerBuild(base, 'scripts/build-stage.Dockerfile', BUILD_STAGE);
  }
  for (const image of only) {
    const name = `warmgate/${image}:${TAG}`;
    say(`building ${name} from ${image}/Dockerfile on ${base}`);
    const stage = USES_BUILD_STAGE.includes(image)
      ? ['--build-arg', `BUILD_IMAGE=${BUILD_STAGE}`]
      : [];
    dockerBuild(base, `${image}/Dockerfile`, name, stage);
  }
}

export function imageSizes() {
  const sizes = {};
  for (const image of IMAGES) {
    const name = `warmgate/${image}:${TAG}`;
    const out = quiet('docker', ['image', 'inspect', '--format', '{{.Size}}', name]);
    if (out.status === 0) sizes[name] = Number(out.stdout.trim());
  }
  return sizes;
}

function main() {
  ensureDocker();
  const base = baseImage();
  if (process.argv.includes('--base-only')) return;
  // `npm run images -- agent`: only the named images.
  const named = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  for (const name of named) {
    if (!IMAGES.includes(name)) throw new Error(`unknown image ${name} (${IMAGES.join(', ')})`);
  }
  build(base, named.length > 0 ? named : IMAGES);
  say('done');
  for (const [name, bytes] of Object.entries(imageSizes())) {
    console.log(`${name.padEnd(28)} ${(bytes / 1e6).toFixed(1)} MB`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(`images: ${error.message}`);
    process.exit(1);
  }
}
