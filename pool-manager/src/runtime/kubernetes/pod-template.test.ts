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

  it('gives agent and sidecar one fresh control token per pod, and nobody else', () => {
    const token = (pod: ReturnType<typeof build>, i: number) =>
      pod.spec?.containers[i]?.env?.find((e) => e.name === 'WARMGATE_AGENT_CONTROL_TOKEN')?.value;
    const [a, b] = [build(), build()];
    expect(token(a, 0)).toBeDefined();
    expect(token(a, 1)).toBe(token(a, 0));
    expect(token(a, 2)).toBeUndefined();
    expect(token(b, 0)).not.toBe(token(a, 0));
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
    expect(agent?.env?.map((e) => e.name)).toEqual(['A', 'WARMGATE_AGENT_CONTROL_TOKEN', 'B']);
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
