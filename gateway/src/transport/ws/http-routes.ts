// The plain HTTP side of the gateway's port: the web chat page, health, readiness, metrics.
import type { HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { WebAsset } from '../../web/web-assets.js';

export interface HttpHooks {
  /** Ready to serve: the pool manager answers. */
  readonly ready: () => Promise<boolean>;
  /** Prometheus text exposition. */
  readonly scrape: () => Promise<string>;
  readonly assets: ReadonlyMap<string, WebAsset>;
  /** True once draining has begun: readiness fails so load balancers stop sending. */
  readonly draining: () => boolean;
}

const securityHeaders: [string, string][] = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
  // The page loads only its own bundle, talks only to its own origin ('self' covers ws: and
  // wss: of the same host), and nothing may frame it.
  [
    'Content-Security-Policy',
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
      "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  ],
];

export function addHttpRoutes(app: TemplatedApp, hooks: HttpHooks): void {
  for (const [path, asset] of hooks.assets) {
    app.get(path, (res) => {
      res.writeStatus(asset.status ?? '200 OK').writeHeader('Content-Type', asset.contentType);
      for (const [key, value] of securityHeaders) res.writeHeader(key, value);
      res.writeHeader('Cache-Control', asset.cacheControl).end(asset.body);
    });
  }
  app.get('/healthz', (res) => {
    res.writeHeader('Content-Type', 'text/plain').end('ok\n');
  });
  app.get('/readyz', (res) =>
    respondLater(res, async () => {
      const ready = !hooks.draining() && (await hooks.ready().catch(() => false));
      return ready
        ? { status: '200 OK', body: 'ready\n' }
        : {
            status: '503 Service Unavailable',
            body: hooks.draining() ? 'draining\n' : 'pool manager not answering\n',
          };
    }),
  );
  app.get('/metrics', (res) =>
    respondLater(res, async () => ({
      status: '200 OK',
      body: await hooks.scrape(),
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
    })),
  );
  app.any('/*', (res) => {
    res.writeStatus('404 Not Found').writeHeader('Content-Type', 'text/plain').end('not found\n');
  });
}

/** An asynchronous response, done the way uWebSockets.js requires (abort handler, cork). */
function respondLater(
  res: HttpResponse,
  produce: () => Promise<{ status: string; body: string; contentType?: string }>,
): void {
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
  });
  produce()
    .catch(() => ({ status: '500 Internal Server Error', body: 'internal error\n' }))
    .then(
      ({ status, body, contentType }: { status: string; body: string; contentType?: string }) => {
        if (aborted) return;
        res.cork(() => {
          res
            .writeStatus(status)
            .writeHeader('Content-Type', contentType ?? 'text/plain')
            .end(body);
        });
      },
    );
}
