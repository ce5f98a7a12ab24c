// Binding.mcp_url names where the agent's MCP endpoint is: an http(s) URL, or — for an agent
// container without a network (the Docker runtime) — `http+unix://<percent-encoded socket
// path>/mcp`, the convention of docker-py and requests-unixsocket. Clients open the socket and
// speak plain HTTP on it to http://localhost/<path>.

const SCHEME = 'http+unix:';

export function unixMcpUrl(socketPath: string, path = '/mcp'): string {
  return `${SCHEME}//${encodeURIComponent(socketPath)}${path}`;
}

export interface McpEndpoint {
  /** The URL to request (http://localhost/… for a socket). */
  readonly url: URL;
  /** Set when the endpoint is a Unix socket. */
  readonly socketPath?: string;
}

export function parseMcpUrl(mcpUrl: string): McpEndpoint {
  const url = new URL(mcpUrl);
  if (url.protocol !== SCHEME) return { url };
  const socketPath = decodeURIComponent(url.host);
  if (!socketPath.startsWith('/')) {
    throw new Error(`${mcpUrl}: the socket path of an http+unix URL must be absolute`);
  }
  return { url: new URL(`${url.pathname}${url.search}`, 'http://localhost'), socketPath };
}
