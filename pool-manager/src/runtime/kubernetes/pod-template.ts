// Builds a warm pod from the operator's template (the Helm chart renders it into a ConfigMap)
// and a profile. The template stays the operator's: we add only what makes the pod ours —
// a name, the owner/profile/state labels, the profile's resources and env.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { V1Container, V1ObjectMeta, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { errors } from '@warmgate/proto';
import { SIDECAR_SECRET_ENV, type ContainerSecrets } from '../container-secret.js';
import type { Profile } from '../runtime.js';
import { agentImageFor, type AgentImage, type AgentImages } from '../agent-images.js';
import { LABEL_PROFILE, LABEL_STATE, isLabelValue, ownerLabels } from './labels.js';

/** A pod template: what `spec.template` of a Deployment holds. */
export interface PodTemplate {
  readonly metadata?: Pick<V1ObjectMeta, 'labels' | 'annotations'>;
  readonly spec: V1PodSpec;
}

/** The container and port names a template must use, so endpoints can be found from the pod. */
export const AGENT_CONTAINER = 'agent';
export const SIDECAR_CONTAINER = 'sidecar';
export const MCP_PORT_NAME = 'mcp';
export const LIFECYCLE_PORT_NAME = 'lifecycle';

export interface TemplatePorts {
  readonly mcp: number;
  readonly lifecycle: number;
}

/** Reads a JSON pod template file (e.g. a mounted ConfigMap key) and validates it. */
export async function loadPodTemplate(path: string): Promise<PodTemplate> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw errors.invalidArgument(`pod template ${path}: cannot read JSON`, error);
  }
  const template = parsed as PodTemplate;
  templatePorts(template, path);
  return template;
}

/** The agent's MCP port and the sidecar's lifecycle port, or an error naming what is missing. */
export function templatePorts(template: PodTemplate, source = 'pod template'): TemplatePorts {
  const containers = template?.spec?.containers;
  if (!Array.isArray(containers))
    throw errors.invalidArgument(`${source}: spec.containers is missing`);
  // A named agent's pod has the gateway's MCP on its sidecar (the data plane).
  const sidecarMcp = containers
    .find((c) => c.name === SIDECAR_CONTAINER)
    ?.ports?.find((p) => p.name === MCP_PORT_NAME)?.containerPort;
  return {
    mcp: sidecarMcp ?? namedPort(containers, AGENT_CONTAINER, MCP_PORT_NAME, source),
    lifecycle: namedPort(containers, SIDECAR_CONTAINER, LIFECYCLE_PORT_NAME, source),
  };
}

function namedPort(
  containers: V1Container[],
  container: string,
  port: string,
  source: string,
): number {
  const found = containers.find((c) => c.name === container);
  if (found === undefined)
    throw errors.invalidArgument(`${source}: no container named "${container}"`);
  const number = found.ports?.find((p) => p.name === port)?.containerPort;
  if (typeof number !== 'number') {
    throw errors.invalidArgument(`${source}: container "${container}" has no port named "${port}"`);
  }
  return number;
}

export interface WarmPodInput {
  readonly template: PodTemplate;
  readonly profile: Profile;
  readonly instance: string | undefined;
  readonly namePrefix: string;
  /** The pod name → its sidecar's Lifecycle secret (container-secret.ts). */
  readonly containerSecrets?: ContainerSecrets;
  /** Agents by image (WARMGATE_POOL_AGENT_IMAGES): a profile naming one gets that agent. */
  readonly agentImages?: AgentImages;
}

/** A new warm pod: unique name (known before the API answers, for the expectations). */
export function buildWarmPod({
  template,
  profile,
  instance,
  namePrefix,
  containerSecrets,
  agentImages,
}: WarmPodInput): V1Pod {
  if (!isLabelValue(profile.name) || profile.name === '') {
    throw errors.invalidArgument(`profile name "${profile.name}" is not a valid label value`);
  }
  const named = agentImageFor(
    profile.agent,
    agentImages,
    // The default agent and typescript-mcp: the template's own agent image in role mcp.
    template.spec.containers.find((c) => c.name === AGENT_CONTAINER)?.image ?? '',
  );
  if (!named) {
    throw errors.failedPrecondition(
      `profile ${profile.name}: no image for agent ${profile.agent} (WARMGATE_POOL_AGENT_IMAGES)`,
    );
  }
  // Every agent, the default included, sits behind the sidecar's data plane: no control API,
  // no secret the two containers share.
  const spec = agentSpec(template.spec, named);
  const name = podName(namePrefix, profile.name);
  spec.containers = spec.containers.map((c) => {
    if (c.name === AGENT_CONTAINER) return withProfile(c, profile);
    // The Lifecycle secret goes to the sidecar container alone, never to the agent's.
    if (c.name === SIDECAR_CONTAINER && containerSecrets) {
      return withEnv(c, SIDECAR_SECRET_ENV, containerSecrets(name));
    }
    return c;
  });
  // A warm pod that dies is replaced by the pool, never restarted into an unknown state.
  spec.restartPolicy ??= 'Never';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: {
        ...template.metadata?.labels,
        ...ownerLabels(instance),
        [LABEL_PROFILE]: profile.name,
        [LABEL_STATE]: 'warm',
      },
      annotations: { ...template.metadata?.annotations },
    },
    spec,
  };
}

/**
 * Direct mode's key and issuer keys: the agent's in the template, moved to the data plane
 * (which checks direct credentials now).
 */
const DATA_PLANE_ENVS = new Set([
  'WARMGATE_AGENT_JWE_PRIVATE_KEY',
  'WARMGATE_AGENT_JWE_PRIVATE_KEY_FILE',
  'WARMGATE_DIRECT_ISSUER_KEYS',
  'WARMGATE_DIRECT_ISSUER_KEYS_FILE',
]);

/**
 * The template turned into an agent's pod (the agent start contract, docs/architecture.md):
 * the agent container runs the agent's image and serves MCP on the pod's loopback only; the
 * sidecar is the data plane in front of it, serving the gateway on the template's `mcp` port
 * (so the pod's endpoints stay where the template says), holding direct mode's keys, and
 * ready when its `/healthz` says the agent answers. Everything else (security context,
 * volumes, resources) stays the operator's.
 */
function agentSpec(template: V1PodSpec, named: AgentImage): V1PodSpec {
  const spec = structuredClone(template);
  const agent = spec.containers.find((c) => c.name === AGENT_CONTAINER)!;
  const mcp = agent.ports!.find((p) => p.name === MCP_PORT_NAME)!;
  const used = new Set(spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.containerPort)));
  let loopback = 8093;
  while (used.has(loopback)) loopback++;
  const workspace =
    agent.env?.find((e) => e.name === 'WARMGATE_WORKSPACE_DIR')?.value ??
    agent.volumeMounts?.find((m) => m.name === 'workspace')?.mountPath ??
    '/workspace';
  const keys = (agent.env ?? []).filter((e) => DATA_PLANE_ENVS.has(e.name));
  const { readinessProbe: _probe, args: _args, command: _command, ...agentRest } = agent;
  const namedAgent: V1Container = {
    ...agentRest,
    image: named.image,
    ...(named.command ? { args: [...named.command] } : {}),
    ports: (agent.ports ?? []).filter((p) => p.name !== MCP_PORT_NAME),
    env: [
      ...(agent.env ?? []).filter((e) => !DATA_PLANE_ENVS.has(e.name)),
      { name: 'WARMGATE_WORKSPACE', value: workspace },
      { name: 'WARMGATE_AGENT_LISTEN', value: `127.0.0.1:${loopback}` },
      // The agent is alone in its container: the Python agent may then run user code.
      { name: 'WARMGATE_AGENT_ISOLATION', value: 'container' },
    ],
  };
  spec.containers = spec.containers.map((c) => {
    if (c.name === AGENT_CONTAINER) return namedAgent;
    if (c.name !== SIDECAR_CONTAINER) return c;
    return {
      ...c,
      ports: [...(c.ports ?? []), mcp],
      env: [
        ...(c.env ?? []).filter((e) => !DATA_PLANE_ENVS.has(e.name)),
        ...keys,
        { name: 'WARMGATE_SIDECAR_AGENT', value: `127.0.0.1:${loopback}` },
        { name: 'WARMGATE_SIDECAR_MCP_PORT', value: String(mcp.containerPort) },
      ],
      readinessProbe: { httpGet: { path: '/healthz', port: MCP_PORT_NAME }, periodSeconds: 2 },
    };
  });
  return spec;
}

function withEnv(container: V1Container, name: string, value: string): V1Container {
  if (container.env?.some((e) => e.name === name)) return container;
  return { ...container, env: [...(container.env ?? []), { name, value }] };
}

function withProfile(container: V1Container, profile: Profile): V1Container {
  const next = { ...container };
  const { cpu, memory } = profile.resources ?? {};
  if (cpu !== undefined || memory !== undefined) {
    const quantities: Record<string, string> = {};
    if (cpu !== undefined) quantities.cpu = cpu;
    if (memory !== undefined) quantities.memory = memory;
    next.resources = {
      ...container.resources,
      requests: { ...container.resources?.requests, ...quantities },
      limits: { ...container.resources?.limits, ...quantities },
    };
  }
  const env = Object.entries(profile.template ?? {}).map(([name, value]) => ({ name, value }));
  if (env.length > 0) next.env = [...(container.env ?? []), ...env];
  return next;
}

function podName(prefix: string, profile: string): string {
  const slug = profile
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '');
  const base = `${prefix}-${slug}`.slice(0, 52).replace(/-+$/, '');
  return `${base}-${randomBytes(5).toString('hex')}`;
}
