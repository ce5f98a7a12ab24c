// Bundles the web chat (src/web/app/main.js and the CSS it imports) with esbuild into
// dist/web: index.html plus assets/<name>-<hash>.{js,css}, which the gateway serves (hashed
// names are cached as immutable; index.html is revalidated). Run by the root `npm run build`
// after `tsc -b`, and by `npm start`. Prints the bundle size, raw and gzipped.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = `${root}dist/web/assets`;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: [`${root}src/web/app/main.js`],
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['chrome120', 'firefox120', 'safari17'],
  entryNames: '[name]-[hash]',
  outdir: out,
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const files = Object.keys(result.metafile.outputs).map((path) => basename(path));
const script = files.find((name) => name.endsWith('.js'));
const style = files.find((name) => name.endsWith('.css'));
if (!script || !style) throw new Error(`build-web: expected a .js and a .css output, got ${files}`);
const html = readFileSync(`${root}src/web/index.html`, 'utf8')
  .replace('/assets/main.css', `/assets/${style}`)
  .replace('/assets/main.js', `/assets/${script}`);
writeFileSync(`${root}dist/web/index.html`, html);

let raw = 0;
let gzip = 0;
for (const name of [script, style]) {
  const body = readFileSync(`${out}/${name}`);
  raw += body.length;
  gzip += gzipSync(body, { level: 9 }).length;
}
console.log(
  `web chat: ${script} + ${style}: ${(raw / 1024).toFixed(1)} KiB, ${(gzip / 1024).toFixed(1)} KiB gzipped`,
);
