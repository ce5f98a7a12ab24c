// One chat turn: runs the TurnRunner (which streams events and saves the finished turn to
// the agent), forwards its events with the turn id, and guarantees the turn ends with
// exactly one FinalAnswer or Error event, whatever the runner did.
import { create } from '@bufbuild/protobuf';
import { trace } from '@opentelemetry/api';
import { AuthMode, ErrorCode, gatewayv1, WarmgateError } from '@warmgate/proto';
import type { AgentSession, Principal, TurnRunner } from '../ports.js';
import { verifiedPrincipal } from './verified-principal.js';

export interface TurnContext {
  readonly principal: Principal;
  readonly turnId: string;
  readonly text: string;
  readonly runner: TurnRunner;
  /** Connects (or reuses) the principal's agent. */
  readonly agent: (signal: AbortSignal) => Promise<AgentSession>;
  readonly emit: (event: gatewayv1.ChatResponse) => void;
  readonly signal: AbortSignal;
  /** Called once, when the final answer or error has been emitted: the client may go on. */
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
  let answer = '';
  let finished = false;
  const emit = (event: gatewayv1.ChatResponse) => {
    if (finished) return; // nothing follows a turn's final answer or error
    event.turnId = turn.turnId;
    if (event.kind.case === 'delta') answer += event.kind.value.text;
    finished = event.kind.case === 'final' || event.kind.case === 'error';
    turn.emit(event);
    if (finished) turn.onEnded();
  };
  try {
    // A refused turn costs no container: admission comes first. Except in direct mode, where
    // the principal's tier is the JWE's unverified header: only the pool manager can verify
    // the credential (it does before it acquires), so the turn is admitted, and its tokens
    // charged, on the tier of the binding it returns.
    let principal = turn.principal;
    const direct = principal.mode === AuthMode.DIRECT;
    if (!direct) turn.runner.admit?.(principal);
    const agent = await turn.agent(turn.signal);
    if (direct) {
      principal = verifiedPrincipal(principal, agent);
      turn.runner.admit?.(principal);
    }
    await turn.runner.run(
      { principal, turnId: turn.turnId, text: turn.text, agent },
      emit,
      turn.signal,
    );
    emit(finalEvent(answer, turn.signal.aborted));
  } catch (error) {
    const failure = WarmgateError.from(turn.signal.aborted ? turn.signal.reason : error);
    if (turn.signal.aborted && failure.code === ErrorCode.CANCELLED) {
      emit(finalEvent(answer, true));
    } else {
      emit(errorEvent(turn.turnId, failure));
    }
  }
}

function finalEvent(text: string, cancelled: boolean): gatewayv1.ChatResponse {
  return create(gatewayv1.ChatResponseSchema, {
    kind: { case: 'final', value: { text, cancelled } },
  });
}
