import { randomBytes } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import type { PodTemplate } from '../../../src/runtime/kubernetes/index.js';
import type { ClaimRecord } from '../../../src/runtime/runtime.js';
import type { TestCluster } from './cluster.js';

/** A fresh namespace with the `default` ServiceAccount (no controller-manager creates it here). */
export async function createNamespace(cluster: TestCluster, prefix: string): Promise<string> {
  const namespace = `${prefix}-${randomBytes(3).toString('hex')}`;
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'default' } } });
  return namespace;
}

/** The agent pod template, pinned to kwok's fake node (the test cluster runs no scheduler). */
export function testPodTemplate(nodeName: string): PodTemplate {
  return {
    metadata: { labels: { 'example.com/team': 'quant' } },
    spec: {
      nodeName,
      automountServiceAccountToken: false,
      containers: [
        {
          name: 'agent',
          image: 'warmgate/agent:test',
          args: ['agent'],
          ports: [{ name: 'mcp', containerPort: 8080 }],
          volumeMounts: [{ name: 'workspace', mountPath: '/workspace' }],
        },
        {
          name: 'sidecar',
          image: 'warmgate/agent:test',
          args: ['sidecar'],
          ports: [{ name: 'lifecycle', containerPort: 50053 }],
          volumeMounts: [{ name: 'workspace', mountPath: '/workspace' }],
        },
      ],
      volumes: [{ name: 'workspace', emptyDir: {} }],
    },
  };
}

export function claimFor(userId: string, bindingId: string): ClaimRecord {
  return {
    userId,
    bindingId,
    tier: 'pro',
    mode: 2,
    claimedAt: 1_700_000_000_000,
    assertionKey: randomBytes(32).toString('base64'),
  };
}
