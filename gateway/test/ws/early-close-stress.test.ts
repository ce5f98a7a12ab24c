// The early WebSocket drop (docs/reliability.md): signed-in sockets, opened in bursts while
// another process keeps a core busy, must each get their first answer before any close.
// Loopback only, bounded in time; nothing here reaches an agent (ping is the first request),
// because the drop came from the upgrade itself, not from what the request did.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { jwt } from '../support/tokens.js';

const sockets = 1_200;
const burst = 100;
let gateway: TestGateway;
let load: ReturnType<typeof spawn> | undefined;

beforeAll(async () => {
  gateway = await startTestGateway('127.0.0.1:1');
  // CPU load from another process: a busy loop for at most 60 s.
  load = spawn(
    process.execPath,
    ['-e', 'const end = Date.now() + 60_000; while (Date.now() < end) {}'],
    { stdio: 'ignore' },
  );
});

afterAll(async () => {
  load?.kill('SIGKILL');
  await gateway?.close();
});

type Outcome = 'answered' | `closed ${number} before the first answer` | 'connect failed';

/**
 * One socket: open with a token in the upgrade's `Authorization` header (the path that raced),
 * wait for `authenticated`, ping, wait for the pong.
 */
function oneSocket(url: string, token: string): Promise<Outcome> {
  return new Promise((resolve) => {
    // Node's WebSocket (undici) takes upgrade headers.
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } } as never);
    let authenticated = false;
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(String(event.data)) as { id?: string; pong?: unknown };
      if (!authenticated) {
        authenticated = true;
        socket.send(JSON.stringify({ id: 'p', ping: { nonce: '1' } }));
      } else if (frame.id === 'p' && frame.pong !== undefined) {
        resolve('answered');
        socket.close(1000, 'done');
      }
    });
    socket.addEventListener('close', (event) => {
      resolve(`closed ${event.code} before the first answer`);
    });
    socket.addEventListener('error', () => resolve('connect failed'));
  });
}

it(`${sockets} signed-in sockets in bursts of ${burst} under CPU load: none closes before its first answer`, async () => {
  const tokens = await Promise.all(
    Array.from({ length: 40 }, (_, i) => jwt({ sub: `stress-${i}` })),
  );
  const outcomes = new Map<Outcome, number>();
  for (let start = 0; start < sockets; start += burst) {
    const results = await Promise.all(
      Array.from({ length: burst }, (_, i) => {
        const url = new URL('/ws', gateway.baseUrl);
        return oneSocket(url.toString(), tokens[(start + i) % tokens.length]!);
      }),
    );
    for (const outcome of results) outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  expect(Object.fromEntries(outcomes)).toEqual({ answered: sockets });
}, 120_000);
