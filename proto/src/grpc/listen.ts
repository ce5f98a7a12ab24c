import { type Server, ServerCredentials } from '@grpc/grpc-js';

/**
 * Binds a grpc-js server to host:port (port 0 = ephemeral) and resolves with the bound port.
 * Credentials default to insecure: TLS terminates at the edge or in the mesh.
 */
export function listen(
  server: Server,
  host: string,
  port: number,
  credentials: ServerCredentials = ServerCredentials.createInsecure(),
): Promise<number> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
}
