// The uWebSockets.js adapter of /mcp and its RFC 9728 metadata: reads the request (headers
// synchronously, as uWS requires; the body up to the frame limit), hands it to the endpoint,
// writes the answer corked — an event stream event by event, with a comment every few seconds
// so neither uWS's idle timeout nor a proxy closes a quiet stream; a notification stream ends
// within those seconds once the replica drains — and aborts the call's signal when the client
// goes away.
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { McpEndpoint, McpRequest, McpResponse } from './mcp-endpoint.js';
import {
  checkHost,
  mcpPath,
  metadataDocument,
  metadataPath,
  type McpHttpConfig,
} from './protected-resource.js';

export interface McpRoutesOptions {
  readonly endpoint: McpEndpoint;
  readonly config: McpHttpConfig;
  /** The largest request body, in bytes (WARMGATE_MAX_FRAME_BYTES, as for WebSocket frames). */
  readonly maxBodyBytes: number;
  readonly draining: () => boolean;
}

/** uWS closes an HTTP response idle for 10 s: a quiet stream says something before then. */
const keepAliveMs = 5_000;

export function addMcpRoutes(app: TemplatedApp, options: McpRoutesOptions): void {
  const handle = (res: HttpResponse, req: HttpRequest) => {
    const headers = headersOf(req);
    const method = req.getCaseSensitiveMethod().toUpperCase();
    const controller = new AbortController();
    let done = false;
    res.onAborted(() => {
      done = true;
      controller.abort(new DOMException('the client went away', 'AbortError'));
    });
    const respond = (response: McpResponse) => {
      if (done) return;
      const body = response.body;
      if (typeof body !== 'string') {
        void stream(response, body);
        return;
      }
      done = true;
      res.cork(() => {
        res.writeStatus(response.status);
        for (const [key, value] of Object.entries(response.headers)) res.writeHeader(key, value);
        res.end(body);
      });
    };
    const stream = async (response: McpResponse, events: AsyncIterable<string>) => {
      res.cork(() => {
        res.writeStatus(response.status);
        for (const [key, value] of Object.entries(response.headers)) res.writeHeader(key, value);
      });
      const write = (chunk: string) => {
        if (!done) res.cork(() => res.write(chunk));
      };
      const keepAlive = setInterval(() => {
        if (response.endsOnDrain && options.draining()) {
          controller.abort(new DOMException('the gateway is draining', 'AbortError'));
        } else {
          write(': keep-alive\n\n');
        }
      }, keepAliveMs);
      try {
        for await (const event of events) {
          if (done) break;
          write(event);
        }
      } catch (error) {
        if (!done) console.error('warmgate gateway: /mcp event stream failed', error);
      } finally {
        clearInterval(keepAlive);
        if (!done) {
          done = true;
          res.cork(() => res.end());
        }
        // The producer stops listening when the stream is over, whoever ended it.
        controller.abort(new DOMException('the stream ended', 'AbortError'));
      }
    };
    if (options.draining()) {
      respond({ status: '503 Service Unavailable', headers: {}, body: 'draining\n' });
      return;
    }
    const run = (body: string) => {
      const request: McpRequest = { method, header: (name) => headers.get(name) ?? '', body };
      options.endpoint(request, controller.signal).then(respond, (error: unknown) => {
        console.error('warmgate gateway: /mcp handler failed', error);
        respond({ status: '500 Internal Server Error', headers: {}, body: 'internal error\n' });
      });
    };
    if (method !== 'POST') return run('');
    readBody(res, options.maxBodyBytes, (body) => {
      if (body === undefined) {
        respond({
          status: '413 Payload Too Large',
          headers: { 'Content-Type': 'text/plain' },
          body: `request body larger than ${options.maxBodyBytes} bytes\n`,
        });
      } else {
        run(body);
      }
    });
  };
  app.post(mcpPath, handle);
  app.get(mcpPath, handle);
  app.del(mcpPath, handle);
  app.options(mcpPath, (res) => {
    res.writeStatus('204 No Content').writeHeader('Allow', 'GET, POST, DELETE').end();
  });
  const metadata = (res: HttpResponse, req: HttpRequest) => {
    const headers = headersOf(req);
    const header = (name: string) => headers.get(name) ?? '';
    const problem = checkHost(options.config, header);
    res
      .writeStatus(problem ? '403 Forbidden' : '200 OK')
      .writeHeader('Content-Type', problem ? 'text/plain' : 'application/json');
    res.end(problem ? `${problem}\n` : JSON.stringify(metadataDocument(options.config, header)));
  };
  app.get(metadataPath, metadata);
  app.get(`${metadataPath}${mcpPath}`, metadata);
}

function headersOf(req: HttpRequest): Map<string, string> {
  const headers = new Map<string, string>();
  req.forEach((key, value) => {
    if (headers.size < 100) headers.set(key.toLowerCase(), value);
  });
  return headers;
}

/** Calls `done` with the body, or with undefined once it passes `max` bytes. */
function readBody(res: HttpResponse, max: number, done: (body: string | undefined) => void) {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  res.onData((chunk, isLast) => {
    if (!over) {
      size += chunk.byteLength;
      if (size > max) over = true;
      // uWS reuses the chunk's memory after this callback: copy it.
      else chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
    }
    if (isLast) done(over ? undefined : Buffer.concat(chunks).toString('utf8'));
  });
}
