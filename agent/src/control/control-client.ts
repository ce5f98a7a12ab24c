// The sidecar's side of the control API: fetch over a keep-alive connection to the agent of
// the same container. Error bodies come back as the WarmgateError the agent threw.
import { ErrorCode, WarmgateError, errors, parseCode } from '@warmgate/proto';
import {
  controlPaths,
  type AgentStatus,
  type BindCommand,
  type DrainCommand,
  type DrainResult,
} from './control-protocol.js';

export interface ControlClient {
  bind(command: BindCommand): Promise<AgentStatus>;
  drain(command: DrainCommand, signal?: AbortSignal): Promise<DrainResult>;
  status(signal?: AbortSignal): Promise<AgentStatus>;
}

export function createControlClient(agentUrl: string, token: string): ControlClient {
  const call = async <T>(path: string, body?: unknown, signal?: AbortSignal): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${agentUrl}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (cause) {
      if (signal?.aborted) throw WarmgateError.from(signal.reason);
      throw errors.unavailable(`cannot reach the agent at ${agentUrl}`, cause);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw errors.internal(
        `agent answered ${path} with non-JSON (HTTP ${response.status})`,
        cause,
      );
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } }).error;
      const code = (error?.code && parseCode(error.code)) || ErrorCode.INTERNAL;
      throw new WarmgateError(code, error?.message ?? `agent answered HTTP ${response.status}`);
    }
    return parsed as T;
  };
  return {
    bind: (command) => call(controlPaths.bind, command),
    drain: (command, signal) => call(controlPaths.drain, command, signal),
    status: (signal) => call(controlPaths.status, undefined, signal),
  };
}
