// The Runtime on Kubernetes: warm pods from a template, readiness from the watch, claims as
// optimistic-concurrency label patches, state rebuilt from labels after a restart.
import {
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import type { Meter } from '@opentelemetry/api';
import { ErrorCode, WarmgateError, errors } from '@warmgate/proto';
import type { ClaimRecord, Container, Profile, Runtime } from '../runtime.js';
import { fromApiError, isNotFound } from './api-errors.js';
import { ANNOTATION_SECRET, bindingSecretName, createBindingSecrets } from './binding-secret.js';
import { createExpectations } from './expectations.js';
import { createOwnWrites } from './own-writes.js';
import { createRuntimeMetrics, type ApiOperation, type RuntimeMetrics } from './runtime-metrics.js';
import {
  ANNOTATION_BINDING,
  ANNOTATION_CLAIMED_AT,
  ANNOTATION_MODE,
  ANNOTATION_TIER,
  ANNOTATION_USER,
  LABEL_STATE,
  LABEL_USER,
  ownerSelector,
  userLabel,
  type PodState,
} from './labels.js';
import { createInformerPodCache, waitForPod, type PodCache } from './pod-cache.js';
import type { ContainerSecrets } from '../container-secret.js';
import type { AgentImages } from '../agent-images.js';
import { buildWarmPod, templatePorts, type PodTemplate } from './pod-template.js';
import { hasFailed, isReady, isTerminating, podName, toContainer } from './pod-view.js';

export interface KubernetesRuntimeOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** The pod template for every profile without its own entry in `profileTemplates`. */
  readonly podTemplate: PodTemplate;
  readonly profileTemplates?: Readonly<Record<string, PodTemplate>>;
  /** `app.kubernetes.io/instance` of the pods: separates two releases in one namespace. */
  readonly instance?: string;
  readonly namePrefix?: string;
  /** How long create() waits for a pod to become Ready (default 120 s). */
  readonly readyTimeoutMs?: number;
  readonly now?: () => number;
  readonly onWatchError?: (error: unknown) => void;
  /** Each pod's sidecar secret, put in the sidecar container's environment only. */
  readonly containerSecrets?: ContainerSecrets;
  /** Agents by image (WARMGATE_POOL_AGENT_IMAGES), for profiles naming one. */
  readonly agentImages?: AgentImages;
  /** Where the runtime's metrics go (default: the global meter provider main.ts sets up). */
  readonly meter?: Meter;
}

/** Starts the pod watch and resolves once the current pods are known (list() is then complete). */
export async function createKubernetesRuntime(options: KubernetesRuntimeOptions): Promise<Runtime> {
  const metrics = createRuntimeMetrics(options.meter);
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const cache = createInformerPodCache({
    kubeConfig: options.kubeConfig,
    core,
    namespace: options.namespace,
    labelSelector: ownerSelector(options.instance),
    onError: (error) => {
      metrics.watchRestart();
      options.onWatchError?.(error);
    },
  });
  await cache.start();
  return createRuntimeOver(core, cache, { ...options, metrics });
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The runtime over an API client and a pod cache (unit tests pass a cache they drive). */
export function createRuntimeOver(
  core: CoreV1Api,
  cache: PodCache,
  options: Omit<KubernetesRuntimeOptions, 'kubeConfig'> & { readonly metrics?: RuntimeMetrics },
): Runtime {
  const metrics = options.metrics ?? createRuntimeMetrics(options.meter);
  /** Normalises a failed API call once, and counts it. */
  const failed = (operation: ApiOperation, error: unknown, what: string): WarmgateError => {
    const normalised = fromApiError(error, what);
    if (normalised.code === ErrorCode.ABORTED) metrics.claimConflict();
    else metrics.apiError(operation, normalised);
    return normalised;
  };
  const conflict = (message: string): WarmgateError => {
    metrics.claimConflict();
    return new WarmgateError(ErrorCode.ABORTED, message);
  };
  const { namespace, instance } = options;
  const now = options.now ?? Date.now;
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const namePrefix = options.namePrefix ?? 'warmgate-agent';
  const templateFor = (profile: string): PodTemplate =>
    options.profileTemplates?.[profile] ?? options.podTemplate;
  const ports = templatePorts(options.podTemplate);
  const portsByProfile = new Map(
    Object.entries(options.profileTemplates ?? {}).map(([name, t]) => [
      name,
      templatePorts(t, `pod template of profile ${name}`),
    ]),
  );
  const portsOf = (pod: V1Pod): typeof ports =>
    portsByProfile.get(toContainer(pod, ports).profile) ?? ports;
  const expectations = createExpectations(now);
  const secrets = createBindingSecrets(core, namespace, instance);
  const withClaim = async (pod: V1Pod): Promise<Container> => {
    const secret = pod.metadata?.annotations?.[ANNOTATION_SECRET];
    const key = secret === undefined ? undefined : await secrets.get(secret);
    return toContainer(pod, portsOf(pod), key);
  };
  const ownWrites = createOwnWrites();
  const unsubscribe = cache.subscribe((event, pod) => {
    expectations.observe(event === 'delete' ? 'gone' : 'present', podName(pod));
    ownWrites.observe(pod, event === 'delete');
  });

  const patchMeta = async (
    operation: ApiOperation,
    name: string,
    metadata: object,
    what: string,
  ): Promise<V1Pod> => {
    try {
      const patched = await core.patchNamespacedPod(
        { name, namespace, body: { metadata } },
        mergePatch,
      );
      ownWrites.record(patched, cache.get(name));
      return patched;
    } catch (error) {
      throw failed(operation, error, what);
    }
  };

  const destroy = async (id: string): Promise<void> => {
    const secret = cache.get(id)?.metadata?.annotations?.[ANNOTATION_SECRET];
    expectations.expectDelete(id);
    try {
      await core.deleteNamespacedPod({ name: id, namespace });
    } catch (error) {
      if (!isNotFound(error)) throw failed('delete', error, `deleting pod ${id}`);
      expectations.observe('gone', id);
    }
    // The owner reference would let the garbage collector do this too; don't wait for it.
    if (secret !== undefined) await secrets.remove(secret);
  };

  return {
    kind: 'kubernetes',

    async create(profile: Profile, signal?: AbortSignal): Promise<Container> {
      signal?.throwIfAborted();
      const body = buildWarmPod({
        template: templateFor(profile.name),
        profile,
        instance,
        namePrefix,
        ...(options.containerSecrets ? { containerSecrets: options.containerSecrets } : {}),
        ...(options.agentImages ? { agentImages: options.agentImages } : {}),
      });
      const name = podName(body);
      const started = now();
      let created: V1Pod;
      try {
        created = await core.createNamespacedPod({ namespace, body });
      } catch (error) {
        throw failed('create', error, `creating pod for profile ${profile.name}`);
      }
      // The watch may already have shown it (then this is a no-op for the count).
      if (cache.get(name) === undefined) expectations.expectCreate(created);
      try {
        const pod = await waitForPod(cache, name, (p) => isReady(p) || hasFailed(p), {
          timeoutMs: readyTimeoutMs,
          ...(signal === undefined ? {} : { signal }),
        });
        if (hasFailed(pod))
          throw errors.unavailable(`pod ${name} ended (${pod.status?.phase}) before it was ready`);
        metrics.podReady(profile.name, now() - started);
        return toContainer(pod, portsOf(pod));
      } catch (error) {
        // Never leave a pod nobody will hand out; the delete is recorded like any other.
        await destroy(name).catch(() => undefined);
        throw WarmgateError.from(error);
      }
    },

    async claim(id: string, claim: ClaimRecord): Promise<Container> {
      let pod: V1Pod;
      try {
        pod = await core.readNamespacedPod({ name: id, namespace });
      } catch (error) {
        throw failed('read', error, `reading pod ${id}`);
      }
      const state = pod.metadata?.labels?.[LABEL_STATE] as PodState | undefined;
      const current = pod.metadata?.annotations?.[ANNOTATION_BINDING];
      // A retry of our own claim whose answer was lost: same binding, same result.
      if (state === 'claimed' && current === claim.bindingId) return withClaim(pod);
      if (state === 'claimed' || state === 'draining') {
        throw conflict(`pod ${id} was already claimed`);
      }
      if (isTerminating(pod) || expectations.isDeleting(id)) {
        throw conflict(`pod ${id} is being deleted`);
      }
      if (!isReady(pod)) throw errors.failedPrecondition(`pod ${id} is not ready`);
      // The key's Secret first: a claimed pod always has it. If the claim then loses, the
      // Secret goes (and the owner reference collects it should this process die first).
      const secret = bindingSecretName(id, claim.bindingId);
      await secrets.put(pod, secret, claim.assertionKey);
      const patched = await patchMeta(
        'claim',
        id,
        {
          // The precondition: if anyone changed the pod since we read it, the API server
          // answers 409 and nothing changes (→ ABORTED).
          resourceVersion: pod.metadata?.resourceVersion,
          labels: { [LABEL_STATE]: 'claimed', [LABEL_USER]: userLabel(claim.userId) },
          annotations: {
            [ANNOTATION_USER]: claim.userId,
            [ANNOTATION_BINDING]: claim.bindingId,
            [ANNOTATION_TIER]: claim.tier,
            [ANNOTATION_MODE]: String(claim.mode),
            [ANNOTATION_CLAIMED_AT]: String(claim.claimedAt),
            [ANNOTATION_SECRET]: secret,
          },
        },
        `claiming pod ${id}`,
      ).catch(async (error: unknown) => {
        await secrets.remove(secret).catch(() => undefined);
        throw error;
      });
      return toContainer(patched, portsOf(patched), claim.assertionKey);
    },

    async markDraining(id: string): Promise<void> {
      await patchMeta(
        'mark_draining',
        id,
        { labels: { [LABEL_STATE]: 'draining' } },
        `marking pod ${id} draining`,
      );
    },

    destroy,

    async list(): Promise<Container[]> {
      const seen = new Set<string>();
      const pods: V1Pod[] = [];
      for (const cached of [...cache.list(), ...expectations.pendingCreates()]) {
        const name = podName(cached);
        const pod = ownWrites.get(name) ?? cached;
        if (seen.has(name) || isTerminating(pod) || expectations.isDeleting(name)) continue;
        seen.add(name);
        pods.push(pod);
      }
      return Promise.all(pods.map(withClaim));
    },

    async close(): Promise<void> {
      unsubscribe();
      await cache.close();
    },
  };
}
