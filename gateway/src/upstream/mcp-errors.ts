// The one place failures of the MCP client (the gateway → agent edge) become ErrorCodes.
//
//   what failed                                       ErrorCode            agent dead?
//   -------------------------------------------------------------------------------------
//   our abort (client cancel, per-call timeout)       the abort's reason   no
//   McpError RequestTimeout (-32001)                  DEADLINE_EXCEEDED    no
//   McpError ConnectionClosed (-32000)                UNAVAILABLE          yes
//   McpError with data.warmgate_code = "<CODE NAME>"  that code            no
//     (the agent's own mapping travels back intact)
//   McpError InvalidParams "... not found"            NOT_FOUND            no
//   McpError InvalidParams (bad tool arguments)       INVALID_ARGUMENT     no
//   McpError MethodNotFound                           UNIMPLEMENTED        no
//   McpError ParseError / InvalidRequest / Internal   INTERNAL             no
//   HTTP 401 / 403 from the agent, direct mode        UNAUTHENTICATED /    no
//     (the client's own credential was refused)       PERMISSION_DENIED
//   HTTP 401 / 403, gateway or public mode            UNAVAILABLE          yes: the agent no
//     (our assertion was refused: binding replaced)                        longer has our binding
//   HTTP 404 (the agent forgot our MCP session)       UNAVAILABLE          yes
//   HTTP 5xx, connection refused/reset (fetch)        UNAVAILABLE          yes
//   anything else                                     INTERNAL             no
//
// "Agent dead" = the request never ran on the agent, so the connector drops the connection,
// asks the pool manager again (stale_binding_id) and retries once.
import { McpError, ErrorCode as McpCode } from '@modelcontextprotocol/sdk/types.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AuthMode, ErrorCode, WarmgateError, parseCode } from '@warmgate/proto';

/** A failure the connector may recover from by re-acquiring the user's agent. */
export class AgentGoneError extends WarmgateError {
  constructor(message: string, cause: unknown) {
    super(ErrorCode.UNAVAILABLE, message, { cause });
  }
}

export function fromMcpError(error: unknown, mode: AuthMode, signal?: AbortSignal): WarmgateError {
  if (signal?.aborted) return WarmgateError.from(signal.reason);
  if (error instanceof WarmgateError) return error;
  if (error instanceof McpError) return fromJsonRpc(error);
  if (error instanceof StreamableHTTPError) return fromHttp(error, mode);
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) {
    return new AgentGoneError('cannot reach the agent', error);
  }
  return WarmgateError.from(error);
}

function fromJsonRpc(error: McpError): WarmgateError {
  const data = error.data as { warmgate_code?: unknown } | undefined;
  const carried =
    typeof data?.warmgate_code === 'string' || typeof data?.warmgate_code === 'number'
      ? parseCode(data.warmgate_code)
      : undefined;
  const message = error.message.replace(/^MCP error -?\d+: /, '');
  if (carried !== undefined) return new WarmgateError(carried, message, { cause: error });
  switch (error.code) {
    case McpCode.RequestTimeout:
      return new WarmgateError(ErrorCode.DEADLINE_EXCEEDED, `the agent did not answer in time`, {
        cause: error,
      });
    case McpCode.ConnectionClosed:
      return new AgentGoneError('the connection to the agent closed', error);
    case McpCode.InvalidParams:
      return new WarmgateError(
        /not found/i.test(message) ? ErrorCode.NOT_FOUND : ErrorCode.INVALID_ARGUMENT,
        message,
        { cause: error },
      );
    case McpCode.MethodNotFound:
      return new WarmgateError(
        ErrorCode.UNIMPLEMENTED,
        `the agent does not support this: ${message}`,
        {
          cause: error,
        },
      );
    default:
      return new WarmgateError(ErrorCode.INTERNAL, `the agent failed: ${message}`, {
        cause: error,
      });
  }
}

function fromHttp(error: StreamableHTTPError, mode: AuthMode): WarmgateError {
  const status = error.code ?? 0;
  if ((status === 401 || status === 403) && mode === AuthMode.DIRECT) {
    return new WarmgateError(
      status === 401 ? ErrorCode.UNAUTHENTICATED : ErrorCode.PERMISSION_DENIED,
      `the agent refused the client's credential (HTTP ${status})`,
      { cause: error },
    );
  }
  if (status === 401 || status === 403 || status === 404 || status >= 500) {
    return new AgentGoneError(`the agent refused the request (HTTP ${status})`, error);
  }
  return new WarmgateError(ErrorCode.INTERNAL, `the agent refused the request (HTTP ${status})`, {
    cause: error,
  });
}
