import { metrics } from '@opentelemetry/api';

/** Containers the Docker runtime found dead (the pool core then replaces them). */
export function deadContainerCounter(): (id: string) => void {
  const counter = metrics
    .getMeter('warmgate-pool-manager')
    .createCounter('warmgate_pool_docker_dead_containers_total', {
      description: 'Agent containers found dead on Docker and replaced',
    });
  const seen = new Set<string>();
  return (id) => {
    if (seen.has(id)) return;
    seen.add(id);
    if (seen.size > 10_000) seen.clear();
    counter.add(1);
  };
}
