import { describe, expect, it } from 'vitest';
import { parseMcpUrl, unixMcpUrl } from './mcp-url.js';

describe('mcp urls', () => {
  it('round-trips a Unix socket path, spaces and all', () => {
    const url = unixMcpUrl('/tmp/state dir/d-1/box/agent.sock');
    expect(url).toBe('http+unix://%2Ftmp%2Fstate%20dir%2Fd-1%2Fbox%2Fagent.sock/mcp');
    const endpoint = parseMcpUrl(url);
    expect(endpoint.socketPath).toBe('/tmp/state dir/d-1/box/agent.sock');
    expect(endpoint.url.href).toBe('http://localhost/mcp');
  });

  it('leaves http URLs as they are', () => {
    expect(parseMcpUrl('http://127.0.0.1:8090/mcp')).toEqual({
      url: new URL('http://127.0.0.1:8090/mcp'),
    });
  });

  it('refuses a relative socket path', () => {
    expect(() => parseMcpUrl('http+unix://agent.sock/mcp')).toThrow(/absolute/);
  });
});
