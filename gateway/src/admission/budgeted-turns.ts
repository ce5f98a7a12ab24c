// Chat turns under admission: a turn starts (admit, before its agent is reached) only within
// the principal's turn rate and LLM budget (and, for anonymous sessions, only when anonymous chat is on); the tokens the turn's
// model requests used (its final answer's usage) are charged to the budget.
import type { TurnRunner } from '../core/ports.js';
import type { Admission } from './admission.js';

export function budgetedTurns(runner: TurnRunner, admission: Admission): TurnRunner {
  return {
    admit: (principal) => admission.turn(principal),
    run(turn, emit, signal) {
      return runner.run(
        turn,
        (event) => {
          const usage = event.kind.case === 'final' ? event.kind.value.usage : undefined;
          if (usage) {
            admission.chargeLlm(turn.principal, usage.promptTokens + usage.completionTokens);
          }
          emit(event);
        },
        signal,
      );
    },
  };
}
