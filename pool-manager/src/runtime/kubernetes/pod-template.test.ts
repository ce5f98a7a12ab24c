import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@warmgate/proto';
import { containerSecrets } from '../container-secret.js';
import { buildWarmPod, templatePorts, type PodTemplate } from './pod-template.js';

const template: PodTemplate = {
  metadata: { labels: { team: 'quant' }, annotations: { note: 'x' } },
  spec: {
    containers: [
      {
        name: 'agent',
        image: 'a',
        ports: [{ name: 'mcp', containerPort: 8090 }],
        env: [{ name: 'A', value: '1' }],
      },
      { name: 'sidecar', image: 'a', ports: [{ name: 'lifecycle', containerPort: 8091 }] },
      { name: 'extra', image: 'b' },
    ],
  },
};

const build = (profile = { name: 'standard' }) =>
  buildWarmPod({ template, profile, instance: 'wg', namePrefix: 'warmgate-agent' });

describe('warm pod from a template', () => {
  it('names, labels and keeps the operator’s template', () => {
    const pod = build();
    expect(pod.metadata?.name).toMatch(/^warmgate-agent-standard-[0-9a-f]{10}$/);
    expect(pod.metadata?.labels).toEqual({
      team: 'quant',
      'app.kubernetes.io/part-of': 'warmgate',
      'app.kubernetes.io/component': 'agent',
      'app.kubernetes.io/managed-by': 'warmgate-pool-manager',
      'app.kubernetes.io/instance': 'wg',
      'warmgate.dev/profile': 'standard',
      'warmgate.dev/state': 'warm',
    });
    expect(pod.metadata?.annotations).toEqual({ note: 'x' });
    expect(pod.spec?.restartPolicy).toBe('Never');
    expect(template.spec.containers[0]?.env).toHaveLength(1); // the template is not mutated
  });

  it('runs the default agent in role mcp behind the sidecar, with no secret shared by the two', () => {
    const pod = build();
    const [agent, sidecar] = pod.spec!.containers;
    expect(agent!.image).toBe('a');
    expect(agent!.args).toEqual(['mcp']);
    // The agent's MCP is on the pod's loopback only; the pod's mcp port is the sidecar's.
    expect(agent!.ports).toEqual([]);
    expect(sidecar!.ports?.map((p) => p.name)).toEqual(['lifecycle', 'mcp']);
    expect(templatePorts({ spec: pod.spec! })).toEqual({ mcp: 8090, lifecycle: 8091 });
  });

  it('gives the sidecar alone its Lifecycle secret, derived from the pod name', () => {
    const secrets = containerSecrets('deployment-secret-0123456789abcdef-0123');
    const pod = buildWarmPod({
      template,
      profile: { name: 'standard' },
      instance: 'wg',
      namePrefix: 'warmgate-agent',
      containerSecrets: secrets,
    });
    const secretOf = (i: number) =>
      pod.spec?.containers[i]?.env?.find((e) => e.name === 'WARMGATE_SIDECAR_SECRET')?.value;
    expect(secretOf(1)).toBe(secrets(pod.metadata!.name!));
    expect(secretOf(0)).toBeUndefined();
    expect(secretOf(2)).toBeUndefined();
  });

  it('applies the profile’s resources and env to the agent container', () => {
    const pod = buildWarmPod({
      template,
      profile: { name: 'large', resources: { cpu: '2', memory: '4Gi' }, template: { B: '2' } },
      instance: undefined,
      namePrefix: 'p',
    });
    const agent = pod.spec?.containers[0];
    expect(agent?.resources).toEqual({
      requests: { cpu: '2', memory: '4Gi' },
      limits: { cpu: '2', memory: '4Gi' },
    });
    expect(agent?.env?.map((e) => e.name)).toEqual([
      'A',
      'WARMGATE_WORKSPACE',
      'WARMGATE_AGENT_LISTEN',
      'WARMGATE_AGENT_ISOLATION',
      'B',
    ]);
    expect(pod.metadata?.labels?.['app.kubernetes.io/instance']).toBeUndefined();
  });

  it('refuses a profile name that cannot be a label', () => {
    expect(() => build({ name: 'no spaces please' })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
    );
  });

  it('finds the named ports, or says which one is missing', () => {
    expect(templatePorts(template)).toEqual({ mcp: 8090, lifecycle: 8091 });
    const noSidecar = { spec: { containers: [template.spec.containers[0]!] } };
    expect(() => templatePorts(noSidecar)).toThrow(/no container named "sidecar"/);
    const noPort = {
      spec: { containers: [{ name: 'agent', image: 'a' }, template.spec.containers[1]!] },
    };
    expect(() => templatePorts(noPort)).toThrow(/"agent" has no port named "mcp"/);
  });
});

describe('warm pod of a named agent (WARMGATE_POOL_AGENT_IMAGES)', () => {
  const chartLike: PodTemplate = {
    spec: {
      containers: [
        {
          name: 'agent',
          image: 'warmgate/agent:1',
          args: ['agent'],
          ports: [{ name: 'mcp', containerPort: 8090 }],
          env: [
            { name: 'WARMGATE_WORKSPACE_DIR', value: '/workspace' },
            {
              name: 'WARMGATE_AGENT_JWE_PRIVATE_KEY',
              valueFrom: { secretKeyRef: { name: 'jwe', key: 'key' } },
            },
            { name: 'WARMGATE_DIRECT_ISSUER_KEYS', value: 'issuer-public-keys' },
          ],
          readinessProbe: { httpGet: { path: '/healthz', port: 'mcp' } },
          securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true },
          volumeMounts: [{ name: 'workspace', mountPath: '/workspace' }],
        },
        {
          name: 'sidecar',
          image: 'warmgate/agent:1',
          args: ['sidecar'],
          ports: [{ name: 'lifecycle', containerPort: 8091 }],
          env: [{ name: 'WARMGATE_WORKSPACE_DIR', value: '/workspace' }],
          readinessProbe: { tcpSocket: { port: 'lifecycle' } },
        },
      ],
    },
  };
  const agentImages = { python: { image: 'warmgate/agent-py:1' } };
  const named = (agent: string) =>
    buildWarmPod({
      template: chartLike,
      profile: { name: 'py', agent },
      instance: 'wg',
      namePrefix: 'warmgate-agent',
      agentImages,
    });
  const env = (pod: ReturnType<typeof named>, i: number) =>
    Object.fromEntries(
      (pod.spec!.containers[i]!.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]),
    );

  it("runs the agent's image on the pod's loopback, the sidecar as data plane on the mcp port", () => {
    const pod = named('python');
    const [agent, sidecar] = pod.spec!.containers;
    expect(agent!.image).toBe('warmgate/agent-py:1');
    expect(agent!.args).toBeUndefined(); // the image's own entry point
    expect(agent!.ports).toEqual([]);
    expect(agent!.readinessProbe).toBeUndefined();
    expect(agent!.securityContext).toEqual({ runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(env(pod, 0)).toEqual({
      WARMGATE_WORKSPACE_DIR: '/workspace',
      WARMGATE_WORKSPACE: '/workspace',
      WARMGATE_AGENT_LISTEN: '127.0.0.1:8093',
      WARMGATE_AGENT_ISOLATION: 'container',
    });
    expect(sidecar!.image).toBe('warmgate/agent:1');
    expect(sidecar!.ports).toEqual([
      { name: 'lifecycle', containerPort: 8091 },
      { name: 'mcp', containerPort: 8090 },
    ]);
    expect(sidecar!.readinessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'mcp' } });
    // Direct mode's keys move to the data plane; no control token on either side.
    expect(env(pod, 1)).toEqual({
      WARMGATE_WORKSPACE_DIR: '/workspace',
      WARMGATE_AGENT_JWE_PRIVATE_KEY: { secretKeyRef: { name: 'jwe', key: 'key' } },
      WARMGATE_DIRECT_ISSUER_KEYS: 'issuer-public-keys',
      WARMGATE_SIDECAR_AGENT: '127.0.0.1:8093',
      WARMGATE_SIDECAR_MCP_PORT: '8090',
    });
    // The endpoints are where the template says.
    expect(templatePorts({ spec: pod.spec! })).toEqual({ mcp: 8090, lifecycle: 8091 });
  });

  it("runs typescript-mcp as the template's agent image in role mcp, behind the sidecar", () => {
    const pod = named('typescript-mcp');
    const [agent, sidecar] = pod.spec!.containers;
    expect(agent!.image).toBe('warmgate/agent:1');
    expect(agent!.args).toEqual(['mcp']);
    expect(env(pod, 0)).toMatchObject({ WARMGATE_AGENT_LISTEN: '127.0.0.1:8093' });
    expect(env(pod, 1)).toMatchObject({ WARMGATE_SIDECAR_AGENT: '127.0.0.1:8093' });
    expect(sidecar!.ports?.map((p) => p.name)).toEqual(['lifecycle', 'mcp']);
  });

  it('runs typescript like typescript-mcp, and refuses an agent without an image', () => {
    const pod = named('typescript');
    expect(pod.spec!.containers[0]!.image).toBe('warmgate/agent:1');
    expect(pod.spec!.containers[0]!.args).toEqual(['mcp']);
    expect(env(pod, 0)).not.toHaveProperty('WARMGATE_AGENT_JWE_PRIVATE_KEY');
    expect(env(pod, 1)).toMatchObject({ WARMGATE_SIDECAR_AGENT: '127.0.0.1:8093' });
    try {
      named('ruby');
      expect.unreachable();
    } catch (error) {
      expect((error as { code: ErrorCode }).code).toBe(ErrorCode.FAILED_PRECONDITION);
      expect((error as Error).message).toMatch(/no image for agent ruby/);
    }
  });
});
