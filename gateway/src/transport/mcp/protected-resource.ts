// OAuth 2.1 resource-server behaviour of /mcp: the RFC 9728 metadata document naming the
// authorization server(s), the `WWW-Authenticate` challenge pointing at it, and the Host /
// Origin check that keeps a browser page on another site (DNS rebinding) out.
import type { WarmgateError } from '@warmgate/proto';

export interface McpHttpConfig {
  readonly authorizationServers: readonly string[];
  readonly resourceUrl?: string;
  readonly allowedHosts: readonly string[];
}

export const mcpPath = '/mcp';
export const metadataPath = '/.well-known/oauth-protected-resource';

type Header = (name: string) => string;

/** The canonical URI of /mcp: configured, else from the (already checked) Host header. */
export function resourceUrlOf(config: McpHttpConfig, header: Header): string {
  if (config.resourceUrl) return config.resourceUrl;
  return `http://${header('host') || 'localhost'}${mcpPath}`;
}

/** RFC 9728 §3.1: the metadata of `https://host/mcp` is at `/.well-known/oauth-protected-resource/mcp`. */
export function metadataUrlOf(config: McpHttpConfig, header: Header): string {
  const resource = new URL(resourceUrlOf(config, header));
  const path = resource.pathname === '/' ? '' : resource.pathname;
  return `${resource.origin}${metadataPath}${path}`;
}

export function metadataDocument(config: McpHttpConfig, header: Header): object {
  return {
    resource: resourceUrlOf(config, header),
    ...(config.authorizationServers.length > 0
      ? { authorization_servers: config.authorizationServers }
      : {}),
    bearer_methods_supported: ['header'],
    resource_name: 'Warmgate',
  };
}

/** The challenge of a 401 (RFC 6750 §3 with RFC 9728 §5.1's resource_metadata). */
export function wwwAuthenticate(
  config: McpHttpConfig,
  header: Header,
  error: WarmgateError,
  token: string | undefined,
): string {
  const parts = [`resource_metadata="${metadataUrlOf(config, header)}"`];
  if (token !== undefined) {
    parts.push('error="invalid_token"', `error_description="${quoted(error.message)}"`);
  }
  return `Bearer ${parts.join(', ')}`;
}

/** A reason to refuse the request's Host or Origin, or undefined when both are allowed. */
export function checkHost(config: McpHttpConfig, header: Header): string | undefined {
  if (config.allowedHosts.includes('*')) return undefined;
  const host = hostname(header('host'));
  if (host === undefined || !config.allowedHosts.includes(host)) {
    return `Host "${header('host')}" is not allowed (WARMGATE_MCP_ALLOWED_HOSTS)`;
  }
  const origin = header('origin');
  if (origin !== '') {
    const originHost = URL.canParse(origin) ? hostname(new URL(origin).host) : undefined;
    if (originHost === undefined || !config.allowedHosts.includes(originHost)) {
      return `Origin "${origin}" is not allowed (WARMGATE_MCP_ALLOWED_HOSTS)`;
    }
  }
  return undefined;
}

/** `host[:port]` → host, lower-case, IPv6 kept in brackets. */
function hostname(value: string): string | undefined {
  if (value === '') return undefined;
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d+)?$/i.exec(value.trim());
  return match?.[1]?.toLowerCase();
}

function quoted(text: string): string {
  return text.replace(/["\\\r\n]/g, ' ');
}
