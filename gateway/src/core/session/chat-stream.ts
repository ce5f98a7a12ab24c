// A Chat stream: user messages start turns (one at a time), cancellations stop them, and the
// events of every turn flow back on one stream.
import type { gatewayv1 } from '@warmgate/proto';
import { errors, WarmgateError } from '@warmgate/proto';
import type { AgentHandle, Principal, TurnRunner } from '../ports.js';
import { AsyncQueue } from './async-queue.js';
import { errorEvent, runTurn } from './chat-turn.js';
import { checkMessageText, checkTurnId, type SessionLimits } from './limits.js';

export interface ChatDeps {
  readonly runner: TurnRunner;
  readonly agent: (principal: Principal, signal: AbortSignal) => Promise<AgentHandle>;
  readonly limits: SessionLimits;
  readonly newId: () => string;
}

interface RunningTurn {
  readonly turnId: string;
  readonly controller: AbortController;
}

export function chatStream(
  deps: ChatDeps,
  principal: Principal,
  requests: AsyncIterable<gatewayv1.ChatRequest>,
  signal: AbortSignal,
): AsyncIterable<gatewayv1.ChatResponse> {
  const out = new AsyncQueue<gatewayv1.ChatResponse>();
  let current: RunningTurn | undefined;
  /** The last turn, until it has completely finished (the runner saves it after its answer). */
  let lastTurn: Promise<void> = Promise.resolve();
  const stopTurn = (reason: unknown) => current?.controller.abort(reason);
  const onAbort = () => stopTurn(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });

  const start = (message: gatewayv1.UserMessage) => {
    const turnId = message.turnId || deps.newId();
    const controller = new AbortController();
    const ended = () => {
      if (current?.controller === controller) current = undefined;
    };
    lastTurn = runTurn({
      principal,
      turnId,
      text: message.text,
      runner: deps.runner,
      agent: (turnSignal) => deps.agent(principal, turnSignal),
      emit: (event) => out.push(event),
      signal: controller.signal,
      onEnded: ended,
    }).finally(ended);
    current = { turnId, controller };
  };

  const handle = (request: gatewayv1.ChatRequest) => {
    const { kind } = request;
    if (kind.case === 'message') {
      const turnId = kind.value.turnId;
      try {
        checkTurnId(turnId);
        if (current) {
          throw errors.failedPrecondition(
            `turn "${current.turnId}" is still running; wait for its final answer or cancel it`,
          );
        }
        checkMessageText(kind.value.text, deps.limits);
      } catch (error) {
        out.push(errorEvent(turnId.slice(0, 64), WarmgateError.from(error)));
        return;
      }
      start(kind.value);
    } else if (kind.case === 'cancel') {
      const target = kind.value.turnId;
      // Cancelling a turn that already ended is harmless: the client raced its final answer.
      if (current && (target === '' || target === current.turnId)) {
        stopTurn(errors.cancelled('the client cancelled the turn'));
      }
    } else {
      out.push(
        errorEvent('', errors.invalidArgument('chat request has neither a message nor a cancel')),
      );
    }
  };

  const drive = async () => {
    try {
      for await (const request of requests) {
        if (signal.aborted) break;
        handle(request);
      }
      await lastTurn; // the client half-closed: finish the turn in progress
    } catch (error) {
      stopTurn(error);
      await lastTurn;
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
  drive().then(
    () => out.end(),
    // The transport turns the failure into its wire error (errors convert at the edges).
    (error: unknown) => out.fail(error),
  );
  return out;
}
