// The agent's side of the control API (/_lifecycle/): bind, drain, status, for the sidecar
// of this container only (bearer WARMGATE_AGENT_CONTROL_TOKEN, compared in constant time).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '@warmgate/proto';
import { controlPaths, type BindCommand } from '../control/control-protocol.js';
import type { AgentCore } from './agent-core.js';
import { header, readJsonBody, sendError, sendJson } from './http-util.js';

/**
 * The two commands are checked by hand rather than with zod: a warm agent then loads no
 * schema library at all (zod comes with the MCP tools, loaded at bind; docs/benchmarks.md).
 */
export function parseBindCommand(value: unknown): BindCommand {
  const body = object(value, 'body');
  const repository = object(body.repository, 'repository');
  const mode = body.mode;
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 3) {
    throw bad('mode must be an integer 0..3');
  }
  if (typeof repository.ephemeral !== 'boolean')
    throw bad('repository.ephemeral must be a boolean');
  return {
    bindingId: text(body.bindingId, 'bindingId', 1, 256),
    userId: text(body.userId, 'userId', 1, 256),
    tier: text(body.tier, 'tier', 0, 64),
    mode,
    assertionKey: text(body.assertionKey, 'assertionKey', 0, 1024),
    repository: {
      url: text(repository.url, 'repository.url', 0, 4096),
      credential: text(repository.credential, 'repository.credential', 0, 16 * 1024),
      ephemeral: repository.ephemeral,
    },
  };
}

export function parseDrainCommand(value: unknown): { bindingId: string } {
  return { bindingId: text(object(value, 'body').bindingId, 'bindingId', 1, 256) };
}

const bad = (message: string) => errors.invalidArgument(`control API: ${message}`);

function object(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(`${name} must be an object`);
  }
  return value as Record<string, unknown>;
}

function text(value: unknown, name: string, min: number, max: number): string {
  if (typeof value !== 'string') throw bad(`${name} must be a string`);
  if (value.length < min || value.length > max) {
    throw bad(`${name} must be ${min}..${max} characters long`);
  }
  return value;
}

export function createControlApi(
  core: AgentCore,
  token: string,
  drainTimeoutMs: number,
  mcpSessions: () => number = () => 0,
) {
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
        const command = parseBindCommand(await readJsonBody(req, 64 * 1024));
        sendJson(res, 200, await core.bind(command));
      } else if (path === controlPaths.prepare && req.method === 'POST') {
        sendJson(res, 200, {}); // the server loads the MCP side on seeing this path
      } else if (path === controlPaths.drain && req.method === 'POST') {
        const command = parseDrainCommand(await readJsonBody(req, 4 * 1024));
        sendJson(res, 200, await core.drain(command.bindingId, drainTimeoutMs));
      } else {
        throw errors.notFound(`no control endpoint ${req.method} ${path}`);
      }
    } catch (error) {
      sendError(res, error);
    }
  };
}
