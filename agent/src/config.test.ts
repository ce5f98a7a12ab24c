import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const base = {
  WARMGATE_WORKSPACE_DIR: '/ws',
  WARMGATE_SIDECAR_SECRET: 's'.repeat(16),
  WARMGATE_SIDECAR_AGENT: '/run/agent.sock',
};
/** Role mcp: the agent behind the data plane. */
const agent = { WARMGATE_WORKSPACE_DIR: '/ws', WARMGATE_AGENT_LISTEN: '/run/agent.sock' };

describe('config', () => {
  it('has documented defaults', () => {
    const config = loadConfig('sidecar', base);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      sidecarPort: 8091,
      workspaceDir: '/ws',
      drainTimeoutMs: 15_000,
      maxObjectBytes: 64 * 1024 * 1024,
      readyFile: undefined,
    });
  });

  it('data plane: the sidecar fronts an agent address or command; role mcp needs its folder and address', () => {
    expect(loadConfig('sidecar', base)).toMatchObject({
      agentListen: '/run/agent.sock',
      sidecarMcpPort: 8092,
      agentTimeoutMs: 300_000,
    });
    expect(
      loadConfig('sidecar', { ...base, WARMGATE_SIDECAR_AGENT: '127.0.0.1:9000' }).agentListen,
    ).toBe('127.0.0.1:9000');
    const { WARMGATE_SIDECAR_AGENT: _agent, ...noAgent } = base;
    expect(
      loadConfig('sidecar', { ...noAgent, WARMGATE_SIDECAR_AGENT_COMMAND: '["/bin/agent"]' })
        .agentCommand,
    ).toEqual(['/bin/agent']);
    expect(() => loadConfig('sidecar', noAgent)).toThrow(
      /WARMGATE_SIDECAR_AGENT \(a Unix socket path or host:port\) or WARMGATE_SIDECAR_AGENT_COMMAND/,
    );
    expect(() =>
      loadConfig('sidecar', { ...base, WARMGATE_SIDECAR_AGENT_COMMAND: '["/bin/agent"]' }),
    ).toThrow(/set at most one/);
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
      writeFileSync(join(dir, 'secret'), `${'t'.repeat(20)}\n`);
      const { WARMGATE_SIDECAR_SECRET: _secret, ...rest } = base;
      const config = loadConfig('sidecar', {
        ...rest,
        WARMGATE_SIDECAR_SECRET_FILE: join(dir, 'secret'),
      });
      expect(config.sidecarSecret).toBe('t'.repeat(20));
      expect(() => loadConfig('sidecar', { ...base, WARMGATE_SIDECAR_SECRET: '' })).toThrow(
        /WARMGATE_SIDECAR_SECRET \(or _FILE\) must be set/,
      );
      expect(loadConfig('mcp', { ...agent, WARMGATE_SIDECAR_SECRET: '' }).sidecarSecret).toBe('');
      expect(() =>
        loadConfig('sidecar', { ...base, WARMGATE_SIDECAR_SECRET_FILE: join(dir, 'none') }),
      ).toThrow(/set at most one/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts WARMGATE_SIDECAR_TURBOFAN ready or bind only (warm-compiler.ts applies it)', () => {
    expect(() => loadConfig('mcp', { ...agent, WARMGATE_SIDECAR_TURBOFAN: 'bind' })).not.toThrow();
    expect(() => loadConfig('mcp', { ...agent, WARMGATE_SIDECAR_TURBOFAN: 'never' })).toThrow(
      /WARMGATE_SIDECAR_TURBOFAN must be ready or bind \(got never\)/,
    );
  });

  it('loads the MCP side right after ready unless told to wait for a bind', () => {
    expect(loadConfig('mcp', agent).mcpLoad).toBe('ready');
    expect(loadConfig('mcp', { ...agent, WARMGATE_AGENT_MCP_LOAD: 'bind' }).mcpLoad).toBe('bind');
    expect(() => loadConfig('mcp', { ...agent, WARMGATE_AGENT_MCP_LOAD: 'later' })).toThrow(
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
    expect(() =>
      loadConfig('sidecar', { ...base, WARMGATE_SIDECAR_STORE_FORWARD: '0=/warmgate/store.sock' }),
    ).toThrow(/WARMGATE_SIDECAR_STORE_FORWARD must be <port 1..65535>=<absolute socket path>/);
  });

  it('names the setting that is wrong', () => {
    expect(() => loadConfig('sidecar', { ...base, WARMGATE_WORKSPACE_DIR: '' })).toThrow(
      /WARMGATE_WORKSPACE_DIR/,
    );
    expect(() => loadConfig('sidecar', { ...base, WARMGATE_SIDECAR_PORT: '70000' })).toThrow(
      /WARMGATE_SIDECAR_PORT/,
    );
    expect(() => loadConfig('sidecar', { ...base, WARMGATE_AGENT_DRAIN_TIMEOUT_MS: '-1' })).toThrow(
      /WARMGATE_AGENT_DRAIN_TIMEOUT_MS/,
    );
  });

  it('needs no secret for stdio', () => {
    expect(loadConfig('stdio', { WARMGATE_WORKSPACE_DIR: '/ws' }).sidecarSecret).toBe('');
  });

  it('names every bad setting in one error, and takes durations with units', () => {
    expect(
      loadConfig('sidecar', { ...base, WARMGATE_AGENT_DRAIN_TIMEOUT_MS: '2s' }).drainTimeoutMs,
    ).toBe(2000);
    expect(() =>
      loadConfig('mcp', {
        ...agent,
        WARMGATE_SIDECAR_PORT: '70000',
        WARMGATE_AGENT_DRAIN_TIMEOUT_MS: '11m',
        WARMGATE_AGENT_MCP_LOAD: 'later',
      }),
    ).toThrow(
      /invalid agent configuration:[\s\S]*WARMGATE_AGENT_DRAIN_TIMEOUT_MS[\s\S]*WARMGATE_AGENT_MCP_LOAD[\s\S]*WARMGATE_SIDECAR_PORT/,
    );
  });
});
