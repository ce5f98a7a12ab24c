import { describe, expect, it } from 'vitest';
import { forwardedHeaders, parseListen } from './agent-link.js';

const gatewaySpan = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const sidecarSpan = '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01';

describe('forwardedHeaders', () => {
  it("carries the sidecar's own span context, not the caller's", () => {
    const headers = forwardedHeaders(
      {
        'content-type': 'application/json',
        'mcp-session-id': 's1',
        traceparent: gatewaySpan,
        tracestate: 'gw=1',
      },
      { traceparent: sidecarSpan, tracestate: 'sc=1' },
    );
    expect(headers).toEqual({
      'content-type': 'application/json',
      'mcp-session-id': 's1',
      traceparent: sidecarSpan,
      tracestate: 'sc=1',
    });
  });

  it("passes the caller's trace context on when the sidecar traces nothing", () => {
    expect(forwardedHeaders({ traceparent: gatewaySpan, tracestate: 'gw=1' }, {})).toEqual({
      traceparent: gatewaySpan,
      tracestate: 'gw=1',
    });
  });

  it("never forwards the caller's credentials", () => {
    const headers = forwardedHeaders({
      authorization: 'Bearer x',
      'x-warmgate-assertion': 'a.b.c',
      'x-warmgate-credential': 'jwe',
      accept: 'application/json',
    });
    expect(headers).toEqual({ accept: 'application/json' });
  });
});

describe('parseListen', () => {
  it('reads a socket path or host:port, and names a bad address', () => {
    expect(parseListen('/run/agent.sock')).toEqual({ socketPath: '/run/agent.sock' });
    expect(parseListen('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(() => parseListen('nowhere')).toThrow(/neither an absolute socket path nor host:port/);
  });
});
