// fetch over a Unix socket: undici's fetch with a dispatcher that connects to the socket (the
// agent of a Docker container on `--network none`). Node's global fetch is undici too, but an
// older copy: its dispatcher option is not promised to take this version's Agent.
import { Agent, fetch as undiciFetch } from 'undici';

export function unixFetch(socketPath: string): typeof fetch {
  const dispatcher = new Agent({ connect: { socketPath } });
  return ((url: string | URL, init?: RequestInit) =>
    undiciFetch(url, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    })) as unknown as typeof fetch;
}
