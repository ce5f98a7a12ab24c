import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { ErrorCode, errors } from '@warmgate/proto';
import { httpStatusOf, jsonRpcErrorBody, toMcpError, toToolError } from './errors.js';

describe('MCP error mapping', () => {
  it('turns tool failures into tool results naming the code', () => {
    const result = toToolError(errors.invalidArgument('name is not allowed'));
    expect(result).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'INVALID_ARGUMENT: name is not allowed' }],
      _meta: { 'warmgate/code': 'INVALID_ARGUMENT' },
    });
  });

  it('never turns an unknown failure into a client-fault code', () => {
    expect(toToolError(new TypeError('bug'))._meta).toEqual({ 'warmgate/code': 'INTERNAL' });
    expect(toMcpError('weird').data).toEqual({ warmgate_code: 'INTERNAL' });
  });

  it('carries the code to the gateway in JSON-RPC errors', () => {
    const error = toMcpError(errors.notFound('no indicator "x"'));
    expect(error).toBeInstanceOf(McpError);
    expect(error.code).toBe(-32602);
    expect(error.data).toEqual({ warmgate_code: 'NOT_FOUND' });
    expect(JSON.parse(jsonRpcErrorBody(errors.unavailable('not bound')))).toEqual({
      jsonrpc: '2.0',
      error: { code: -32000, message: 'not bound', data: { warmgate_code: 'UNAVAILABLE' } },
      id: null,
    });
  });

  it('maps refusals to the HTTP statuses the gateway client reads', () => {
    expect(httpStatusOf(ErrorCode.UNAUTHENTICATED)).toBe(401);
    expect(httpStatusOf(ErrorCode.PERMISSION_DENIED)).toBe(403);
    expect(httpStatusOf(ErrorCode.NOT_FOUND)).toBe(404);
    expect(httpStatusOf(ErrorCode.UNAVAILABLE)).toBe(503);
    expect(httpStatusOf(ErrorCode.INTERNAL)).toBe(500);
    expect(httpStatusOf(ErrorCode.DATA_LOSS)).toBe(500);
  });
});
