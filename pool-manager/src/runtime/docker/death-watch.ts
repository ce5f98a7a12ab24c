// Notices, as it happens, a Docker container of this pool that dies without the pool manager
// asking (docker kill, OOM, a crash): Docker's event stream, no polling. The death is counted
// (onDead) and the other half of the Warmgate container is stopped too, so the pool's next
// health probe or the user's next call fails at once and the pool core replaces it.
import type Docker from 'dockerode';
import { CONTAINER, POOL } from './labels.js';

export interface DeathWatch {
  close(): void;
}

interface DockerEvent {
  Action?: string;
  Actor?: { Attributes?: Record<string, string> };
}

export async function watchDeaths(
  docker: Docker,
  pool: string,
  isExpected: (id: string) => boolean,
  onDeath: (id: string) => void,
): Promise<DeathWatch> {
  const stream = (await docker.getEvents({
    filters: { type: ['container'], event: ['die'], label: [`${POOL}=${pool}`] },
  })) as NodeJS.ReadableStream & { destroy?: () => void };
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (!line) continue;
      try {
        const event = JSON.parse(line) as DockerEvent;
        const id = event.Actor?.Attributes?.[CONTAINER];
        if (event.Action === 'die' && id && !isExpected(id)) onDeath(id);
      } catch {
        // not an event line; the next one is
      }
    }
  });
  stream.on('error', () => {}); // a closed daemon connection: list() still finds the dead
  return { close: () => stream.destroy?.() };
}
