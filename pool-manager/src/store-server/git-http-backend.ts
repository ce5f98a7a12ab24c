// Git smart HTTP by `git http-backend` (CGI): git itself speaks the protocol, we only map one
// HTTP request to one CGI process. Only paths the caller was authorised for ever reach it.
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface BackendRequest {
  readonly projectRoot: string;
  /** `/<user>.git/info/refs` etc., relative to `projectRoot`. */
  readonly pathInfo: string;
  /** Who is pushing (enables receive-pack) — the repository's own user. */
  readonly remoteUser: string;
  /** Extra environment for git (the receive policy). */
  readonly env?: NodeJS.ProcessEnv;
  /** A request body past this many bytes stops the backend (the push fails). */
  readonly maxBodyBytes?: number;
}

const HEADER_END = /\r?\n\r?\n/;

export function runHttpBackend(
  req: IncomingMessage,
  res: ServerResponse,
  { projectRoot, pathInfo, remoteUser, env: extraEnv, maxBodyBytes }: BackendRequest,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://store');
  const env: NodeJS.ProcessEnv = {
    ...extraEnv,
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: pathInfo,
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: url.search.slice(1),
    REMOTE_USER: remoteUser,
    REMOTE_ADDR: req.socket.remoteAddress ?? '',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
    // Protocol v2 negotiation travels in this header.
    GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
  };
  if (req.headers['content-length'] !== undefined)
    env.CONTENT_LENGTH = req.headers['content-length'];
  return new Promise<void>((resolve) => {
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString();
    });
    let received = 0;
    if (maxBodyBytes !== undefined) {
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBodyBytes && child.exitCode === null) child.kill('SIGTERM');
      });
    }
    req.pipe(child.stdin);
    child.stdin.on('error', () => undefined); // the backend may answer before reading it all
    let head = Buffer.alloc(0);
    let headersSent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const text = head.toString('latin1');
      const match = HEADER_END.exec(text);
      if (match === null) return;
      writeCgiHead(res, text.slice(0, match.index));
      headersSent = true;
      const body = head.subarray(match.index + match[0].length);
      if (body.length > 0) res.write(body);
    });
    child.on('close', (code) => {
      if (!headersSent) {
        res.statusCode = 500;
        res.end(`git http-backend failed (${code}): ${stderr.trim().slice(0, 500)}\n`);
      } else {
        res.end();
      }
      resolve();
    });
    child.on('error', () => undefined); // 'close' follows and answers 500
    res.on('close', () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    });
  });
}

function writeCgiHead(res: ServerResponse, head: string): void {
  res.statusCode = 200;
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') res.statusCode = Number.parseInt(value, 10) || 500;
    else res.setHeader(name, value);
  }
}
