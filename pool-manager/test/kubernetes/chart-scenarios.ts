import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig, loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { beforeAll, expect, it } from 'vitest';
import { createKubernetesLeaseStore, createLeaderElector } from '../../src/leader/index.js';
import { containerSecrets } from '../../src/runtime/container-secret.js';
import { startKubernetesRuntime, type PodTemplate } from '../../src/runtime/kubernetes/index.js';
import { TEST_POOL_SECRET } from '../support.js';
import type { TestCluster } from './harness/cluster.js';
import { claimFor, createNamespace } from './harness/fixtures.js';

const run = promisify(execFile);
const chart = fileURLToPath(new URL('../../../charts/warmgate', import.meta.url));

/** The Helm chart: lint, render, server-side dry run, and its RBAC and pod template for real. */
export function chartScenarios(cluster: () => TestCluster): void {
  let namespace: string;
  let rendered: string;
  let docs: KubernetesObject[];
  beforeAll(async () => {
    namespace = await createNamespace(cluster(), 'chart');
    ({ stdout: rendered } = await run(cluster().tools.helm, [
      'template',
      'wg',
      chart,
      '--namespace',
      namespace,
    ]));
    docs = (loadAllYaml(rendered) as (KubernetesObject | null)[]).filter(
      (d): d is KubernetesObject => d !== null,
    );
  });

  it('passes helm lint --strict', async () => {
    const { stdout } = await run(cluster().tools.helm, ['lint', '--strict', chart]);
    expect(stdout).toContain('0 chart(s) failed');
  });

  it('renders every part of the deployment with the default values', () => {
    const kinds = docs.map((d) => `${d.kind}/${d.metadata?.name}`).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        'ConfigMap/wg-warmgate-pool-manager',
        'Deployment/wg-warmgate-gateway',
        'Deployment/wg-warmgate-pool-manager',
        'HorizontalPodAutoscaler/wg-warmgate-gateway',
        'NetworkPolicy/wg-warmgate-agents',
        'NetworkPolicy/wg-warmgate-pool-manager',
        'NetworkPolicy/wg-warmgate-repo-store',
        'PodDisruptionBudget/wg-warmgate-gateway',
        'PodDisruptionBudget/wg-warmgate-pool-manager',
        'Role/wg-warmgate-pool-manager',
        'RoleBinding/wg-warmgate-pool-manager',
        'Service/wg-warmgate-gateway',
        'Service/wg-warmgate-pool-manager',
        'Service/wg-warmgate-repo-store',
        'ServiceAccount/wg-warmgate-pool-manager',
        'StatefulSet/wg-warmgate-repo-store',
      ]),
    );
    // Nothing cluster-wide, and no Secret values in the manifests.
    expect(docs.filter((d) => d.kind?.startsWith('Cluster'))).toEqual([]);
    expect(docs.filter((d) => d.kind === 'Secret')).toEqual([]);
    expect(rendered).not.toMatch(/hostPath|privileged: true/);
  });

  it('passes kubectl apply --dry-run=server for every rendered manifest', async () => {
    const out = await cluster().kubectl(
      ['apply', '--dry-run=server', '-n', namespace, '-f', '-'],
      rendered,
    );
    const applied = out
      .trim()
      .split('\n')
      .filter((line) => line.endsWith('(server dry run)'));
    expect(applied).toHaveLength(docs.length);
  });

  it('renders and dry-runs with every option switched the other way', async () => {
    const set = [
      'secrets.jwt.existingSecret=jwt',
      'secrets.jwt.kind=publicKey',
      'secrets.agentJwe.existingSecret=jwe',
      'secrets.directIssuer.existingSecret=issuers',
      'secrets.llm.existingSecret=llm',
      'gateway.autoscaling.enabled=false',
      'gateway.pdb.enabled=false',
      'gateway.env.WARMGATE_LLM_BASE_URL=https://llm.example.com/v1',
      'gateway.service.type=LoadBalancer',
      'poolManager.env.WARMGATE_POOL_BIND_TIMEOUT=10s',
      'agent.priorityClassName=',
      'repoStore.persistence.storageClassName=fast',
      'networkPolicy.enabled=false',
      'global.image.registry=registry.example.com/',
      'global.image.tag=1.2.3',
      'telemetry.otlp.endpoint=http://otel.example:4318',
      'telemetry.otlp.protocol=http/json',
      'agent.images.python.repository=warmgate/agent-py',
    ];
    const { stdout } = await run(cluster().tools.helm, [
      'template',
      'alt',
      chart,
      '--namespace',
      namespace,
      ...set.flatMap((s) => ['--set', s]),
      '--set-json',
      'profiles=[{"name":"standard","min":1,"max":5},{"name":"large","min":0,"max":2,"agent":"python"}]',
    ]);
    expect(stdout).toContain('WARMGATE_AUTH_PUBLIC_KEY');
    expect(stdout).toContain('registry.example.com/warmgate/agent:1.2.3');
    expect(stdout).toContain('standard:min=1:max=5,large:min=0:max=2:agent=python');
    // A profile naming the Python agent: its image reaches the pool manager.
    expect(stdout).toContain(
      'value: "{\\"python\\":\\"registry.example.com/warmgate/agent-py:1.2.3\\"}"',
    );
    // OTLP settings on the gateway, the pool manager and both containers of the agent pods.
    expect(stdout.split('http://otel.example:4318').length - 1).toBe(4);
    expect(stdout).toContain('OTEL_EXPORTER_OTLP_PROTOCOL');
    expect(stdout).not.toContain('kind: HorizontalPodAutoscaler');
    expect(stdout).not.toContain('kind: NetworkPolicy');
    const out = await cluster().kubectl(
      ['apply', '--dry-run=server', '-n', namespace, '-f', '-'],
      stdout,
    );
    expect(out).toContain('deployment.apps/alt-warmgate-gateway created (server dry run)');
  });

  it("wires direct mode's keys into the pool manager as files mounted from Secrets", async () => {
    const { stdout } = await run(cluster().tools.helm, [
      'template',
      'direct',
      chart,
      '--namespace',
      namespace,
      '--set',
      'secrets.agentJwe.existingSecret=jwe',
      '--set',
      'secrets.directIssuer.existingSecret=issuers',
    ]);
    const rendered = (loadAllYaml(stdout) as (KubernetesObject | null)[]).filter(
      (d): d is KubernetesObject => d !== null,
    );
    type PodSpec = {
      containers: {
        env: { name: string; value?: string; valueFrom?: unknown }[];
        volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
      }[];
      volumes: { name: string; secret?: { secretName: string; defaultMode?: number } }[];
    };
    const deployment = rendered.find(
      (d) => d.kind === 'Deployment' && d.metadata?.name === 'direct-warmgate-pool-manager',
    ) as unknown as { spec: { template: { spec: PodSpec } } };
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    const env = new Map(container!.env.map((e) => [e.name, e]));
    expect(env.get('WARMGATE_AGENT_JWE_PRIVATE_KEY_FILE')?.value).toBe(
      '/etc/warmgate/direct/jwe/jwe-private-key',
    );
    expect(env.get('WARMGATE_DIRECT_ISSUER_KEYS_FILE')?.value).toBe(
      '/etc/warmgate/direct/issuer/issuer-keys',
    );
    // The private key never sits in the pool manager's environment.
    expect(env.has('WARMGATE_AGENT_JWE_PRIVATE_KEY')).toBe(false);
    expect(container!.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'direct-jwe', mountPath: '/etc/warmgate/direct/jwe', readOnly: true },
        { name: 'direct-issuer', mountPath: '/etc/warmgate/direct/issuer', readOnly: true },
      ]),
    );
    const volumes = new Map(pod.volumes.map((v) => [v.name, v.secret]));
    expect(volumes.get('direct-jwe')).toMatchObject({ secretName: 'jwe', defaultMode: 0o440 });
    expect(volumes.get('direct-issuer')).toMatchObject({ secretName: 'issuers' });
    // The agent pods verify the same credentials: they get the issuer keys too.
    expect(stdout).toMatch(/"name": "WARMGATE_DIRECT_ISSUER_KEYS"/);
    // Without the Secrets, none of it.
    expect(rendered.length).toBeGreaterThan(0);
    expect(JSON.stringify(docs)).not.toContain('/etc/warmgate/direct');
  });

  it('refuses values the schema does not allow, naming them', async () => {
    await expect(
      run(cluster().tools.helm, ['template', 'bad', chart, '--set', 'gateway.env.PATH=/evil']),
    ).rejects.toThrow(/PATH/);
    await expect(
      run(cluster().tools.helm, [
        'template',
        'bad',
        chart,
        '--set',
        'secrets.store.existingSecret=',
      ]),
    ).rejects.toThrow(/existingSecret/);
  });

  it('gives the pool manager enough RBAC to run pods, bindings and its lease — as its own ServiceAccount', async () => {
    const rbac = docs.filter((d) =>
      ['ServiceAccount', 'Role', 'RoleBinding'].includes(d.kind ?? ''),
    );
    await cluster().kubectl(
      ['apply', '-n', namespace, '-f', '-'],
      rbac.map((d) => JSON.stringify(d)).join('\n'),
    );
    const admin = cluster().kubeConfig().makeApiClient(CoreV1Api);
    const { status } = await admin.createNamespacedServiceAccountToken({
      name: 'wg-warmgate-pool-manager',
      namespace,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const asPoolManager = new KubeConfig();
    asPoolManager.loadFromOptions({
      clusters: [{ name: 'test', server: cluster().server, skipTLSVerify: true }],
      users: [{ name: 'pool-manager', token: status!.token }],
      contexts: [{ name: 'test', cluster: 'test', user: 'pool-manager' }],
      currentContext: 'test',
    });

    // The chart's own agent pod template, pinned to kwok's node (this cluster has no scheduler).
    const configMap = docs.find((d) => d.kind === 'ConfigMap') as KubernetesObject & {
      data: Record<string, string>;
    };
    const template = JSON.parse(configMap.data['agent-pod.json']!) as PodTemplate;
    // Through the same entry point main.ts uses: the template from a file, as mounted.
    const templatePath = join(
      await mkdtemp(join(tmpdir(), 'warmgate-chart-template-')),
      'agent-pod.json',
    );
    await writeFile(
      templatePath,
      JSON.stringify({ ...template, spec: { ...template.spec, nodeName: cluster().nodeName } }),
    );
    const runtime = await startKubernetesRuntime(
      {
        namespace,
        podTemplatePath: templatePath,
        instance: 'wg',
        readyTimeoutMs: 20_000,
        containerSecrets: containerSecrets(TEST_POOL_SECRET),
      },
      asPoolManager,
    );
    try {
      const container = await runtime.create({ name: 'standard' });
      expect(container.mcpUrl).toMatch(/:8090\/mcp$/);
      expect(container.lifecycleAddress).toMatch(/:8091$/);
      await runtime.claim(container.id, claimFor('erin', 'binding-e'));
      expect((await runtime.list()).find((c) => c.id === container.id)?.claim?.userId).toBe('erin');
      await runtime.destroy(container.id);
    } finally {
      await runtime.close();
      await rm(dirname(templatePath), { recursive: true, force: true });
    }

    let leading = false;
    const elector = createLeaderElector({
      store: createKubernetesLeaseStore({
        kubeConfig: asPoolManager,
        namespace,
        name: 'wg-warmgate-pool-manager',
      }),
      identity: 'pool-manager-0',
      leaseDurationMs: 2_000,
      renewDeadlineMs: 1_500,
      retryPeriodMs: 200,
      onStartedLeading: () => (leading = true),
      onStoppedLeading: () => (leading = false),
    });
    expect(await elector.step()).toBe(true); // create
    expect(await elector.step()).toBe(true); // update
    expect(leading).toBe(true);
    await elector.stop();

    // ...and nothing beyond its namespace.
    const other = asPoolManager.makeApiClient(CoreV1Api);
    await expect(other.listNamespacedPod({ namespace: 'default' })).rejects.toMatchObject({
      code: 403,
    });
  });
}
