// node:http, loaded with require rather than an ESM import. An ESM import of a built-in
// builds its ES module facade, which reads every export once — and node:http's exports
// include lazy getters (WebSocket, CloseEvent, MessageEvent) that load undici, and with it
// crypto, tls, http2, zlib, worker_threads and perf_hooks: about 3 MiB resident in every
// process that imports it, for code no Warmgate process runs (docs/benchmarks.md, footprint).
// Types still come from `import type … from 'node:http'`.
import type * as NodeHttp from 'node:http';
import { createRequire } from 'node:module';

export const http = createRequire(import.meta.url)('node:http') as typeof NodeHttp;
