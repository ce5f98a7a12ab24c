// The agent's side of the control API (/_lifecycle/): bind, drain, status, for the sidecar
// of this container only (bearer WARMGATE_AGENT_CONTROL_TOKEN, compared in constant time).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { errors } from '@warmgate/proto';
import { controlPaths } from '../control/control-protocol.js';
import type { AgentCore } from './agent-core.js';
import { header, readJsonBody, sendError, sendJson } from './http-util.js';

const BindCommandSchema = z.object({
  bindingId: z.string().min(1).max(256),
  userId: z.string().min(1).max(256),
  tier: z.string().max(64),
  mode: z.number().int().min(0).max(3),
  assertionKey: z.string().max(1024),
  repository: z.object({
    url: z.string().max(4096),
    credential: z.string().max(16 * 1024),
    ephemeral: z.boolean(),
  }),
});

const DrainCommandSchema = z.object({ bindingId: z.string().min(1).max(256) });

export function createControlApi(
  core: AgentCore,
  token: string,
  drainTimeoutMs: number,
  mcpSessions: () => number = () => 0,
) {
  // zod compiles a schema on its first parse; do that now rather than inside the first bind.
  BindCommandSchema.safeParse({
    bindingId: 'warm-up',
    userId: 'warm-up',
    tier: '',
    mode: 0,
    assertionKey: '',
    repository: { url: '', credential: '', ephemeral: true },
  });
  // Digests of both sides: equal lengths, so neither the token nor its length leaks by timing.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const expected = digest(`Bearer ${token}`);
  const authorised = (req: IncomingMessage) =>
    timingSafeEqual(digest(header(req, 'authorization') ?? ''), expected);
  return async function handleControl(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!token || !authorised(req)) throw errors.unauthenticated('control API: bad token');
      const path = (req.url ?? '').split('?')[0];
      if (path === controlPaths.status && req.method === 'GET') {
        sendJson(res, 200, { ...core.status(), mcpSessions: mcpSessions() });
      } else if (path === controlPaths.bind && req.method === 'POST') {
        const command = parse(BindCommandSchema, await readJsonBody(req, 64 * 1024));
        sendJson(res, 200, await core.bind(command));
      } else if (path === controlPaths.drain && req.method === 'POST') {
        const command = parse(DrainCommandSchema, await readJsonBody(req, 4 * 1024));
        sendJson(res, 200, await core.drain(command.bindingId, drainTimeoutMs));
      } else {
        throw errors.notFound(`no control endpoint ${req.method} ${path}`);
      }
    } catch (error) {
      sendError(res, error);
    }
  };
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw errors.invalidArgument(`control API: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}
