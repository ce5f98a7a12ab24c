import { CoreV1Api } from '@kubernetes/client-node';
import { ErrorCode, WarmgateError } from '@warmgate/proto';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { createKubernetesRuntime, userLabel } from '../../src/runtime/kubernetes/index.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import type { TestCluster } from './harness/cluster.js';
import { claimFor, createNamespace, testPodTemplate } from './harness/fixtures.js';

const profile = { name: 'standard', resources: { cpu: '250m', memory: '256Mi' } };

/** The Kubernetes runtime against the real API server; kwok makes the pods Running. */
export function runtimeScenarios(cluster: () => TestCluster): void {
  let namespace: string;
  const open: Runtime[] = [];
  const runtime = async (): Promise<Runtime> => {
    const created = await createKubernetesRuntime({
      kubeConfig: cluster().kubeConfig(),
      namespace,
      podTemplate: testPodTemplate(cluster().nodeName),
      instance: 'test',
      readyTimeoutMs: 20_000,
    });
    open.push(created);
    return created;
  };
  const core = () => cluster().kubeConfig().makeApiClient(CoreV1Api);

  beforeAll(async () => {
    namespace = await createNamespace(cluster(), 'runtime');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.close()));
  });

  it('creates a warm pod, claims it, marks it draining and deletes it', async () => {
    const rt = await runtime();
    const container = await rt.create(profile);
    expect(container.phase).toBe('warm');
    expect(container.mcpUrl).toMatch(/^http:\/\/10\.\d+\.\d+\.\d+:8080\/mcp$/);
    expect(container.lifecycleAddress).toMatch(/^10\.\d+\.\d+\.\d+:50053$/);

    const pod = await core().readNamespacedPod({ name: container.id, namespace });
    expect(pod.metadata?.labels).toMatchObject({
      'app.kubernetes.io/part-of': 'warmgate',
      'warmgate.dev/profile': 'standard',
      'warmgate.dev/state': 'warm',
      'example.com/team': 'quant',
    });
    expect(pod.spec?.containers[0]?.resources?.limits).toEqual({ cpu: '250m', memory: '256Mi' });
    // The default agent runs in role mcp on the pod's loopback, the sidecar as its data plane
    // on the template's mcp port; no control token in either container.
    const [agent, sidecar] = pod.spec!.containers;
    expect(agent!.args).toEqual(['mcp']);
    expect(agent!.ports ?? []).toEqual([]);
    expect(sidecar!.ports?.map((p) => p.name)).toEqual(['lifecycle', 'mcp']);

    const claim = claimFor('alice@example.com', 'binding-1');
    const claimed = await rt.claim(container.id, claim);
    expect(claimed.phase).toBe('claimed');
    expect(claimed.claim).toEqual(claim);
    // At once, not when the watch catches up: the pool must never count it as warm again.
    expect((await rt.list()).find((c) => c.id === container.id)?.phase).toBe('claimed');
    const after = await core().readNamespacedPod({ name: container.id, namespace });
    expect(after.metadata?.labels?.['warmgate.dev/user']).toBe(userLabel('alice@example.com'));
    // The assertion key is in a Secret, never in the pod's metadata.
    expect(JSON.stringify(after.metadata)).not.toContain(claim.assertionKey);

    await rt.markDraining(container.id);
    await expect
      .poll(async () => (await rt.list()).find((c) => c.id === container.id)?.phase)
      .toBe('draining');

    await rt.destroy(container.id);
    expect((await rt.list()).some((c) => c.id === container.id)).toBe(false);
    await expect
      .poll(
        () =>
          core()
            .readNamespacedPod({ name: container.id, namespace })
            .then(
              () => 'present',
              () => 'gone',
            ),
        { timeout: 15_000 },
      )
      .toBe('gone');
    await rt.destroy(container.id); // idempotent
  });

  it('lets exactly one of two pool managers claim a pod', async () => {
    const [a, b] = [await runtime(), await runtime()];
    const container = await a.create(profile);
    const results = await Promise.allSettled([
      a.claim(container.id, claimFor('alice', 'binding-a')),
      b.claim(container.id, claimFor('bob', 'binding-b')),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(WarmgateError);
    expect((lost[0]!.reason as WarmgateError).code).toBe(ErrorCode.ABORTED);
    // The loser left nothing behind: one binding Secret, the winner's.
    const secrets = await core().listNamespacedSecret({
      namespace,
      labelSelector: 'app.kubernetes.io/component=binding',
    });
    expect(
      secrets.items.filter((s) => s.metadata?.ownerReferences?.[0]?.name === container.id),
    ).toHaveLength(1);
    // A retry of the winner's own claim returns the same binding; anyone else stays refused.
    const winner = (
      won[0] as PromiseFulfilledResult<{ claim?: { bindingId: string; userId: string } }>
    ).value.claim!;
    const again = await b.claim(container.id, { ...claimFor(winner.userId, winner.bindingId) });
    expect(again.claim?.bindingId).toBe(winner.bindingId);
    await expect(a.claim(container.id, claimFor('carol', 'binding-c'))).rejects.toMatchObject({
      code: ErrorCode.ABORTED,
    });
    await a.destroy(container.id);
  });

  it('rebuilds pool state and bindings from labels after a restart', async () => {
    const before = await runtime();
    const warm = await before.create(profile);
    const bound = await before.create(profile);
    const claim = claimFor('dave', 'binding-d');
    await before.claim(bound.id, claim);
    await before.close();

    const after = await runtime();
    const listed = await after.list();
    const byId = new Map(listed.map((c) => [c.id, c]));
    expect(byId.get(warm.id)).toMatchObject({
      phase: 'warm',
      profile: 'standard',
      mcpUrl: warm.mcpUrl,
    });
    expect(byId.get(bound.id)).toMatchObject({ phase: 'claimed', claim });
    await after.destroy(warm.id);
    await after.destroy(bound.id);
  });

  it('counts a created pod before the watch shows it, and hides a deleted one at once', async () => {
    const rt = await runtime();
    const container = await rt.create(profile);
    await rt.destroy(container.id);
    // The watch has not necessarily seen the deletion yet; list() must not offer the pod.
    expect((await rt.list()).map((c) => c.id)).not.toContain(container.id);
  });

  it("runs a profile's named agent from its image, the sidecar as its data plane", async () => {
    const rt = await createKubernetesRuntime({
      kubeConfig: cluster().kubeConfig(),
      namespace,
      podTemplate: testPodTemplate(cluster().nodeName),
      instance: 'named',
      readyTimeoutMs: 20_000,
      agentImages: { python: { image: 'warmgate/agent-py:test' } },
    });
    open.push(rt);
    const container = await rt.create({ name: 'py', agent: 'python' });
    expect(container.phase).toBe('warm');
    // The gateway's MCP is still the template's mcp port: the sidecar serves it now.
    expect(container.mcpUrl).toMatch(/^http:\/\/10\.\d+\.\d+\.\d+:8080\/mcp$/);
    const pod = await core().readNamespacedPod({ name: container.id, namespace });
    const [agent, sidecar] = pod.spec!.containers;
    expect(agent!.image).toBe('warmgate/agent-py:test');
    expect(agent!.args).toBeUndefined();
    const env = (c: typeof agent) =>
      Object.fromEntries((c!.env ?? []).map((e) => [e.name, e.value]));
    expect(env(agent)).toMatchObject({
      WARMGATE_WORKSPACE: '/workspace',
      WARMGATE_AGENT_LISTEN: '127.0.0.1:8093',
      WARMGATE_AGENT_ISOLATION: 'container',
    });
    expect(env(sidecar)).toMatchObject({
      WARMGATE_SIDECAR_AGENT: '127.0.0.1:8093',
      WARMGATE_SIDECAR_MCP_PORT: '8080',
    });
    expect(sidecar!.ports?.map((p) => p.name)).toEqual(['lifecycle', 'mcp']);
    await rt.destroy(container.id);
  });

  it('gives up on a pod that never becomes ready, and deletes it', async () => {
    const rt = await createKubernetesRuntime({
      kubeConfig: cluster().kubeConfig(),
      namespace,
      // No node: nothing ever runs this pod.
      podTemplate: {
        ...testPodTemplate(cluster().nodeName),
        spec: { ...testPodTemplate('').spec, nodeName: undefined },
      },
      instance: 'unready',
      readyTimeoutMs: 1_000,
    });
    open.push(rt);
    await expect(rt.create(profile)).rejects.toMatchObject({ code: ErrorCode.DEADLINE_EXCEEDED });
    expect(await rt.list()).toEqual([]);
  });
}
