// The secret a container's sidecar requires on every Lifecycle call (pool manager → sidecar),
// shared by every runtime (local processes, Docker, Kubernetes):
//
// - Derived, not stored: HMAC-SHA256(deployment secret, "warmgate-lifecycle/v1\0" + container id),
//   base64url. The pool manager keeps nothing per container, and a restarted pool manager with
//   the same deployment secret still reaches the sidecars it adopts. One container's secret
//   says nothing about another's or about the deployment secret.
// - Handed to the sidecar only, never to the agent process: by a file of mode 0600 named by
//   WARMGATE_SIDECAR_SECRET_FILE (local: `<stateDir>/<id>/sidecar.secret`; Docker: a file
//   mounted into the sidecar container alone), or by WARMGATE_SIDECAR_SECRET in the sidecar
//   container's own environment (Kubernetes: the agent container never gets the variable).
// - Sent by the pool manager as `authorization: Bearer <secret>` gRPC metadata; the sidecar
//   compares in constant time (`requireBearer`, @warmgate/proto/grpc).
import { createHmac } from 'node:crypto';
import { writeFile } from 'node:fs/promises';

/** Names the sidecar reads its secret from (agent/src/config.ts). */
export const SIDECAR_SECRET_ENV = 'WARMGATE_SIDECAR_SECRET';
export const SIDECAR_SECRET_FILE_ENV = 'WARMGATE_SIDECAR_SECRET_FILE';

/** The container id → its sidecar's secret, under one deployment secret. */
export type ContainerSecrets = (containerId: string) => string;

export function containerSecrets(deploymentSecret: string): ContainerSecrets {
  if (deploymentSecret.length < 32) {
    throw new Error('the deployment secret must be at least 32 characters');
  }
  return (containerId) =>
    createHmac('sha256', deploymentSecret)
      .update(`warmgate-lifecycle/v1\0${containerId}`)
      .digest('base64url');
}

/** Writes a secret file only its owner can read; fails if the file exists. */
export async function writeSecretFile(path: string, secret: string): Promise<void> {
  await writeFile(path, secret, { mode: 0o600, flag: 'wx' });
}
