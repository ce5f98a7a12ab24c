// One chat turn: admits it, connects the user's agent, then hands it to the TurnRunner, which
// streams its events, saves it and ends it with exactly one FinalAnswer or Error (the
// TurnRunner contract, core/ports.ts). This file only ends the turns that never reach the
// runner (refused admission, no agent), and stamps the turn id on what the runner emits.
import { create } from '@bufbuild/protobuf';
import { trace } from '@opentelemetry/api';
import { AuthMode, ErrorCode, gatewayv1, WarmgateError } from '@warmgate/proto';
import type { AgentHandle, Principal, TurnRunner } from '../ports.js';
import { verifiedPrincipal } from './verified-principal.js';

export interface TurnContext {
  readonly principal: Principal;
  readonly turnId: string;
  readonly text: string;
  readonly runner: TurnRunner;
  /** Connects (or reuses) the principal's agent. */
  readonly agent: (signal: AbortSignal) => Promise<AgentHandle>;
  readonly emit: (event: gatewayv1.ChatResponse) => void;
  readonly signal: AbortSignal;
  /** Called when the final answer or error has been emitted: the client may go on. */
  readonly onEnded: () => void;
}

export function errorEvent(turnId: string, error: WarmgateError): gatewayv1.ChatResponse {
  return create(gatewayv1.ChatResponseSchema, {
    turnId,
    kind: {
      case: 'error',
      value: { code: error.code, message: error.message, retryAfterMs: error.retryAfterMs ?? 0 },
    },
  });
}

const tracer = trace.getTracer('warmgate-gateway');

/**
 * Runs the turn to its end; never throws. The turn is one span, `chat.turn`: the agent's
 * acquisition (and through it the pool manager, sidecar and agent), the LLM requests and the
 * tool calls are its children, so one turn is one trace.
 */
export function runTurn(turn: TurnContext): Promise<void> {
  return tracer.startActiveSpan('chat.turn', async (span) => {
    try {
      await runTurnInSpan(turn);
    } finally {
      span.end();
    }
  });
}

async function runTurnInSpan(turn: TurnContext): Promise<void> {
  const emit = (event: gatewayv1.ChatResponse) => {
    event.turnId = turn.turnId;
    turn.emit(event);
    if (event.kind.case === 'final' || event.kind.case === 'error') turn.onEnded();
  };
  let agent: AgentHandle;
  // A refused turn costs no container: admission comes first. Except in direct mode, where
  // the principal's tier is the JWE's unverified header: only the pool manager can verify
  // the credential (it does before it acquires), so the turn is admitted, and its tokens
  // charged, on the tier of the binding it returns.
  let principal = turn.principal;
  try {
    const direct = principal.mode === AuthMode.DIRECT;
    if (!direct) turn.runner.admit?.(principal);
    agent = await turn.agent(turn.signal);
    if (direct) {
      principal = verifiedPrincipal(principal, agent);
      turn.runner.admit?.(principal);
    }
  } catch (error) {
    // The turn never reached the runner: it ends here, with nothing produced.
    const failure = WarmgateError.from(turn.signal.aborted ? turn.signal.reason : error);
    if (turn.signal.aborted && failure.code === ErrorCode.CANCELLED) {
      emit(
        create(gatewayv1.ChatResponseSchema, {
          kind: { case: 'final', value: { text: '', cancelled: true } },
        }),
      );
    } else {
      emit(errorEvent(turn.turnId, failure));
    }
    return;
  }
  try {
    await turn.runner.run(
      { principal, turnId: turn.turnId, text: turn.text, agent },
      emit,
      turn.signal,
    );
  } catch (error) {
    // A runner that throws breaks its contract; the client still gets an end, never a hang.
    emit(errorEvent(turn.turnId, WarmgateError.from(error)));
  }
}
