// CI guard: every package a workspace's code imports is declared in that workspace's package.json.
// npm hoists every workspace into the root node_modules, so an undeclared import (say, a gateway test
// importing @warmgate/pool-manager) resolves here and breaks in an isolated install or a Docker build.
// Code at the repository root (scripts/, vitest.config.ts) and agent-py's TypeScript tests, which are
// no workspace, may use the root package.json's devDependencies; a workspace's tests may too (vitest,
// fast-check, undici: the root's test toolchain). Root code may also import any workspace.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

const rootDir = new URL('..', import.meta.url).pathname;
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const declared = (pkg) =>
  new Set(
    ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].flatMap((key) =>
      Object.keys(pkg[key] ?? {}),
    ),
  );

const rootPkg = readJson(join(rootDir, 'package.json'));
const rootDeclared = declared(rootPkg);
const builtins = new Set(builtinModules);
// k6/: scripts for the k6 runtime, whose 'k6/...' modules are built into k6, not npm packages.
const skipDirs = new Set([
  'node_modules',
  'dist',
  'gen',
  '.venv',
  '__pycache__',
  'bench-results',
  'k6',
]);
const sourceFile = /\.(?:[cm]?[jt]s|tsx)$/;
// import ... from 'x' / export ... from 'x' / import 'x' / import('x') / require('x')
const specifierPattern =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"\n]+)['"]/g;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    if (skipDirs.has(name) || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (sourceFile.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

const packageName = (specifier) => {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) {
    return undefined;
  }
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtins.has(name) ? undefined : name;
};

const isTestCode = (rel) => /(^|\/)(test|scripts)\//.test(rel) || /\.test\.[jt]s$/.test(rel);

const workspaceNames = new Set(
  rootPkg.workspaces.map((workspace) => readJson(join(rootDir, workspace, 'package.json')).name),
);
const problems = [];
const check = (dir, pkg, { rootAllowed }) => {
  const own = declared(pkg);
  for (const file of files(dir)) {
    const rel = relative(rootDir, file);
    // Comment lines name modules in prose; only code counts.
    const text = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
      .join('\n');
    const names = new Set([...text.matchAll(specifierPattern)].map((m) => packageName(m[1])));
    for (const name of names) {
      if (name === undefined || name === pkg.name || own.has(name)) continue;
      if ((rootAllowed || isTestCode(relative(dir, file))) && rootDeclared.has(name)) continue;
      // Root code (no workspace of its own) may use any workspace of the repository.
      if (rootAllowed && workspaceNames.has(name)) continue;
      problems.push(`${rel}: imports ${name}, not declared in ${pkg.name}'s package.json`);
    }
  }
};

for (const workspace of rootPkg.workspaces) {
  const dir = join(rootDir, workspace);
  check(dir, readJson(join(dir, 'package.json')), { rootAllowed: false });
}
// Not workspaces: the root's own scripts and agent-py's TypeScript tests answer to the root package.json.
check(join(rootDir, 'scripts'), rootPkg, { rootAllowed: true });
check(join(rootDir, 'agent-py', 'test'), rootPkg, { rootAllowed: true });

if (problems.length > 0) {
  console.error(`deps:check: ${problems.length} undeclared import(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('deps:check: every import is declared in its package.json');
