// The web chat page: plain HTML, CSS and one JS module, no build step. They live next to this
// file in src/web and are read once at start-up (from src/web whether the gateway runs from
// src or dist: both sit at the same depth under the package).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface WebAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

const files: Record<string, { file: string; contentType: string }> = {
  '/': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/chat.js': { file: 'chat.js', contentType: 'text/javascript; charset=utf-8' },
  '/chat.css': { file: 'chat.css', contentType: 'text/css; charset=utf-8' },
};

/** URL path → asset. */
export function loadWebAssets(): Map<string, WebAsset> {
  const root = fileURLToPath(new URL('../../src/web/', import.meta.url));
  const assets = new Map<string, WebAsset>();
  for (const [path, { file, contentType }] of Object.entries(files)) {
    assets.set(path, { body: readFileSync(`${root}${file}`), contentType });
  }
  return assets;
}
