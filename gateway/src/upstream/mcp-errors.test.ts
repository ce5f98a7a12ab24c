import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { AuthMode, ErrorCode, errors } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import { AgentGoneError, fromMcpError } from './mcp-errors.js';

const gateway = AuthMode.GATEWAY;

describe('MCP error mapping', () => {
  it.each([
    [new McpError(-32001, 'timeout'), ErrorCode.DEADLINE_EXCEEDED],
    [new McpError(-32602, 'Resource x not found'), ErrorCode.NOT_FOUND],
    [new McpError(-32602, 'bad arguments'), ErrorCode.INVALID_ARGUMENT],
    [new McpError(-32601, 'no such method'), ErrorCode.UNIMPLEMENTED],
    [new McpError(-32603, 'boom'), ErrorCode.INTERNAL],
    [
      new McpError(-32603, 'locked', { warmgate_code: 'FAILED_PRECONDITION' }),
      ErrorCode.FAILED_PRECONDITION,
    ],
    [new StreamableHTTPError(500, 'oops'), ErrorCode.UNAVAILABLE],
    [new StreamableHTTPError(400, 'bad'), ErrorCode.INTERNAL],
    [new TypeError('fetch failed'), ErrorCode.UNAVAILABLE],
    [new Error('who knows'), ErrorCode.INTERNAL],
  ])('%s → %s', (error, code) => {
    expect(fromMcpError(error, gateway).code).toBe(code);
  });

  it('marks failures where the request never ran as "agent gone"', () => {
    expect(fromMcpError(new TypeError('fetch failed'), gateway)).toBeInstanceOf(AgentGoneError);
    expect(fromMcpError(new StreamableHTTPError(404, 'session'), gateway)).toBeInstanceOf(
      AgentGoneError,
    );
    expect(fromMcpError(new McpError(-32000, 'closed'), gateway)).toBeInstanceOf(AgentGoneError);
    expect(fromMcpError(new McpError(-32603, 'boom'), gateway)).not.toBeInstanceOf(AgentGoneError);
  });

  it('blames the client credential only in direct mode', () => {
    expect(fromMcpError(new StreamableHTTPError(401, 'no'), AuthMode.DIRECT).code).toBe(
      ErrorCode.UNAUTHENTICATED,
    );
    expect(fromMcpError(new StreamableHTTPError(403, 'no'), AuthMode.DIRECT).code).toBe(
      ErrorCode.PERMISSION_DENIED,
    );
    expect(fromMcpError(new StreamableHTTPError(401, 'no'), gateway).code).toBe(
      ErrorCode.UNAVAILABLE,
    );
  });

  it('prefers the abort reason when the caller aborted', () => {
    const controller = new AbortController();
    controller.abort(errors.deadlineExceeded('tool took too long'));
    expect(fromMcpError(new McpError(-32603, 'x'), gateway, controller.signal).code).toBe(
      ErrorCode.DEADLINE_EXCEEDED,
    );
  });
});
