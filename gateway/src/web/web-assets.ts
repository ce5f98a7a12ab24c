// The web chat page, as bundled by `npm run build` (scripts/build-web.js, esbuild) into
// dist/web: index.html and assets/<name>-<hash>.*. Read once at start-up, from dist/web
// whether the gateway runs from src or dist (both sit at the same depth under the package).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WebAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly cacheControl: string;
  readonly status?: string;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Hashed names never change content: a year, immutable. index.html is always revalidated. */
const immutable = 'public, max-age=31536000, immutable';
const revalidate = 'no-cache';

export const webRoot = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** URL path → asset. Without a build, `/` explains how to build the page (503). */
export function loadWebAssets(root = webRoot): Map<string, WebAsset> {
  const assets = new Map<string, WebAsset>();
  if (!existsSync(`${root}index.html`)) {
    assets.set('/', {
      body: Buffer.from('The web chat is not built: run `npm run build`.\n'),
      contentType: contentTypes['.txt']!,
      cacheControl: revalidate,
      status: '503 Service Unavailable',
    });
    return assets;
  }
  assets.set('/', {
    body: readFileSync(`${root}index.html`),
    contentType: contentTypes['.html']!,
    cacheControl: revalidate,
  });
  for (const name of readdirSync(`${root}assets`)) {
    const contentType = contentTypes[extname(name)];
    if (!contentType) continue;
    assets.set(`/assets/${name}`, {
      body: readFileSync(`${root}assets/${name}`),
      contentType,
      cacheControl: immutable,
    });
  }
  return assets;
}
