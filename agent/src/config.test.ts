import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const base = {
  WARMGATE_WORKSPACE_DIR: '/ws',
  WARMGATE_AGENT_CONTROL_TOKEN: 'x'.repeat(16),
  WARMGATE_SIDECAR_SECRET: 's'.repeat(16),
};

describe('config', () => {
  it('has documented defaults', () => {
    const config = loadConfig('sidecar', base);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      agentPort: 8090,
      sidecarPort: 8091,
      agentUrl: 'http://127.0.0.1:8090',
      workspaceDir: '/ws',
      drainTimeoutMs: 15_000,
      maxObjectBytes: 64 * 1024 * 1024,
      readyFile: undefined,
    });
  });

  it('data plane: the sidecar fronts an agent address and needs no control token; role mcp needs its folder and address', () => {
    const sidecar = loadConfig('sidecar', {
      WARMGATE_WORKSPACE_DIR: '/ws',
      WARMGATE_SIDECAR_SECRET: 's'.repeat(16),
      WARMGATE_SIDECAR_AGENT: '/run/agent.sock',
    });
    expect(sidecar).toMatchObject({
      agentListen: '/run/agent.sock',
      sidecarMcpPort: 8092,
      agentTimeoutMs: 300_000,
      controlToken: '',
    });
    expect(
      loadConfig('sidecar', { ...base, WARMGATE_SIDECAR_AGENT: '127.0.0.1:9000' }).agentListen,
    ).toBe('127.0.0.1:9000');
    expect(() => loadConfig('sidecar', { ...base, WARMGATE_SIDECAR_AGENT: 'agent.sock' })).toThrow(
      /WARMGATE_SIDECAR_AGENT must be an absolute Unix socket path or host:port/,
    );
    expect(() =>
      loadConfig('sidecar', { ...base, WARMGATE_SIDECAR_AGENT_TIMEOUT_MS: '5' }),
    ).toThrow(/WARMGATE_SIDECAR_AGENT_TIMEOUT_MS/);
    const mcp = loadConfig('mcp', { WARMGATE_WORKSPACE: '/w', WARMGATE_AGENT_LISTEN: '/w.sock' });
    expect(mcp).toMatchObject({ workspaceDir: '/w', agentListen: '/w.sock' });
    expect(() => loadConfig('mcp', { WARMGATE_AGENT_LISTEN: '/w.sock' })).toThrow(
      /WARMGATE_WORKSPACE must be set/,
    );
    expect(() => loadConfig('mcp', { WARMGATE_WORKSPACE: '/w' })).toThrow(
      /WARMGATE_AGENT_LISTEN must be set/,
    );
  });

  it('takes secrets from files (*_FILE), and the sidecar needs its Lifecycle secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warmgate-agent-config-'));
    try {
      writeFileSync(join(dir, 'token'), `${'t'.repeat(20)}\n`);
      const { WARMGATE_AGENT_CONTROL_TOKEN: _token, ...rest } = base;
      const config = loadConfig('sidecar', {
        ...rest,
        WARMGATE_AGENT_CONTROL_TOKEN_FILE: join(dir, 'token'),
      });
      expect(config.controlToken).toBe('t'.repeat(20));
      expect(config.sidecarSecret).toBe('s'.repeat(16));
      expect(() => loadConfig('sidecar', { ...base, WARMGATE_SIDECAR_SECRET: '' })).toThrow(
        /WARMGATE_SIDECAR_SECRET \(or _FILE\) must be set/,
      );
      expect(loadConfig('agent', { ...base, WARMGATE_SIDECAR_SECRET: '' }).sidecarSecret).toBe('');
      expect(() =>
        loadConfig('agent', { ...base, WARMGATE_AGENT_CONTROL_TOKEN_FILE: join(dir, 'none') }),
      ).toThrow(/set at most one/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads the MCP side right after ready unless told to wait for a bind', () => {
    expect(loadConfig('agent', base).mcpLoad).toBe('ready');
    expect(loadConfig('agent', { ...base, WARMGATE_AGENT_MCP_LOAD: 'bind' }).mcpLoad).toBe('bind');
    expect(() => loadConfig('agent', { ...base, WARMGATE_AGENT_MCP_LOAD: 'later' })).toThrow(
      /WARMGATE_AGENT_MCP_LOAD must be ready or bind \(got later\)/,
    );
  });

  it('takes Unix sockets and a store forward for a container without a network', () => {
    const config = loadConfig('sidecar', {
      ...base,
      WARMGATE_SIDECAR_SOCKET: '/warmgate/sidecar.sock',
      WARMGATE_SIDECAR_STORE_FORWARD: '41234=/warmgate/store.sock',
      WARMGATE_SIDECAR_MCP_SOCKET: '/warmgate/mcp.sock',
    });
    expect(config.sidecarSocket).toBe('/warmgate/sidecar.sock');
    expect(config.sidecarMcpSocket).toBe('/warmgate/mcp.sock');
    expect(() =>
      loadConfig('sidecar', { ...base, WARMGATE_SIDECAR_MCP_SOCKET: 'mcp.sock' }),
    ).toThrow(/WARMGATE_SIDECAR_MCP_SOCKET must be an absolute path/);
    expect(config.storeForward).toEqual({ port: 41234, socket: '/warmgate/store.sock' });
    expect(loadConfig('agent', base).agentSocket).toBeUndefined();
    expect(() => loadConfig('agent', { ...base, WARMGATE_AGENT_SOCKET: 'agent.sock' })).toThrow(
      /WARMGATE_AGENT_SOCKET must be an absolute path/,
    );
    expect(() =>
      loadConfig('sidecar', { ...base, WARMGATE_SIDECAR_STORE_FORWARD: '0=/warmgate/store.sock' }),
    ).toThrow(/WARMGATE_SIDECAR_STORE_FORWARD must be <port 1..65535>=<absolute socket path>/);
  });

  it('reaches the agent on loopback when listening on every address', () => {
    const config = loadConfig('sidecar', { ...base, WARMGATE_AGENT_HOST: '0.0.0.0' });
    expect(config.agentUrl).toBe('http://127.0.0.1:8090');
  });

  it('names the setting that is wrong', () => {
    expect(() => loadConfig('agent', { ...base, WARMGATE_WORKSPACE_DIR: '' })).toThrow(
      /WARMGATE_WORKSPACE_DIR/,
    );
    expect(() => loadConfig('agent', { ...base, WARMGATE_AGENT_CONTROL_TOKEN: 'short' })).toThrow(
      /WARMGATE_AGENT_CONTROL_TOKEN/,
    );
    expect(() => loadConfig('agent', { ...base, WARMGATE_AGENT_PORT: '70000' })).toThrow(
      /WARMGATE_AGENT_PORT/,
    );
    expect(() => loadConfig('sidecar', { ...base, WARMGATE_AGENT_URL: 'not a url' })).toThrow(
      /WARMGATE_AGENT_URL/,
    );
    expect(() => loadConfig('agent', { ...base, WARMGATE_AGENT_DRAIN_TIMEOUT_MS: '-1' })).toThrow(
      /WARMGATE_AGENT_DRAIN_TIMEOUT_MS/,
    );
  });

  it('needs no control token for stdio', () => {
    expect(loadConfig('stdio', { WARMGATE_WORKSPACE_DIR: '/ws' }).controlToken).toBe('');
  });

  it('names every bad setting in one error, and takes durations with units', () => {
    expect(
      loadConfig('agent', { ...base, WARMGATE_AGENT_DRAIN_TIMEOUT_MS: '2s' }).drainTimeoutMs,
    ).toBe(2000);
    expect(() =>
      loadConfig('agent', {
        ...base,
        WARMGATE_AGENT_PORT: '70000',
        WARMGATE_AGENT_DRAIN_TIMEOUT_MS: '11m',
        WARMGATE_AGENT_MCP_LOAD: 'later',
      }),
    ).toThrow(
      /invalid agent configuration:[\s\S]*WARMGATE_AGENT_PORT[\s\S]*WARMGATE_AGENT_DRAIN_TIMEOUT_MS[\s\S]*WARMGATE_AGENT_MCP_LOAD/,
    );
  });
});
