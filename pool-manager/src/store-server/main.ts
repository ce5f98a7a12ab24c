// The repo store process (Kubernetes: the repo-store StatefulSet runs
// `node pool-manager/dist/store-server/main.js`). Prints one ready line like the agents do.
import { mkdir } from 'node:fs/promises';
import { loadStoreConfig } from './store-config.js';
import { createStoreServer } from './store-server.js';

const config = loadStoreConfig();
await mkdir(config.dir, { recursive: true, mode: 0o700 });
const server = createStoreServer({
  root: config.dir,
  secret: config.secret,
  quotaBytes: config.quotaBytes,
  log: (message) => console.error(message),
});
server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  console.log(JSON.stringify({ ready: true, role: 'repo-store', port }));
});
const stop = (): void => {
  // In-flight pushes finish; new connections are refused.
  server.close(() => process.exit(0));
  server.closeIdleConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
