// The LLM loop of one chat turn: context → system prompt → model stream → tool rounds → answer,
// saved to the agent. Streams every token and tool call to the client as it happens.
import { AuthMode, ErrorCode, WarmgateError, type gatewayv1 } from '@warmgate/proto';
import { abortable, deadline } from '../deadline.js';
import type { PlatformTools, TurnInput, TurnRunner } from '../ports.js';
import { createToolCatalog, type ExposedTool, type ToolCatalog } from '../tools/index.js';
import { chatEvents } from './events.js';
import type { Model, ModelMessage, ModelTool, ModelToolCall } from './model.js';
import { buildSystemPrompt, type SystemPromptLimits } from './system-prompt.js';
import { runToolRound, type ToolOutcome } from './tool-round.js';

export interface TurnRunnerOptions {
  readonly model: Model;
  readonly platform: PlatformTools;
  /** Defaults to a catalog over `platform`; pass the session core's to share one instance. */
  readonly catalog?: ToolCatalog;
  /** Rounds of tool calls per turn; the model asking for more ends the turn with a message. */
  readonly maxToolRounds: number;
  /** The tool timeout of the catalog built when none is given (default 30 s). */
  readonly toolTimeoutMs?: number;
  readonly turnTimeoutMs: number;
  /** Bound on saving the finished turn to the agent (default 10 s). */
  readonly saveTimeoutMs?: number;
  readonly systemPromptLimits?: SystemPromptLimits;
  readonly now?: () => number;
}

/** What one turn has produced so far; survives cancellation so the client gets it. */
interface TurnState {
  answer: string;
  toolRounds: number;
  promptTokens: number;
  completionTokens: number;
  readonly toolCalls: { name: string; isError: boolean }[];
}

export function createTurnRunner(options: TurnRunnerOptions): TurnRunner {
  const catalog =
    options.catalog ??
    createToolCatalog(options.platform, { toolTimeoutMs: options.toolTimeoutMs });
  const now = options.now ?? Date.now;
  const saveTimeoutMs = options.saveTimeoutMs ?? 10_000;

  return {
    // The one owner of "a turn ends with exactly one FinalAnswer or Error": every path below
    // ends in one of the two emits at its end, and nothing here throws.
    async run(turn, emit, signal) {
      const state: TurnState = {
        answer: '',
        toolRounds: 0,
        promptTokens: 0,
        completionTokens: 0,
        toolCalls: [],
      };
      const startedAt = new Date(now());
      emit(chatEvents.started(turn.turnId, options.model.name));
      const timeout = deadline(signal, options.turnTimeoutMs, 'the turn');
      const turnSignal = timeout.signal;
      try {
        await loop(turn, emit, turnSignal, state);
      } catch (error) {
        if (!signal.aborted) {
          const failure = turnSignal.aborted ? WarmgateError.from(turnSignal.reason) : error;
          const normalised = WarmgateError.from(failure);
          emit(chatEvents.error(turn.turnId, normalised.code, normalised.message));
          return;
        }
      } finally {
        timeout.clear();
      }
      const cancelled = signal.aborted;
      const saved = await save(turn, state, startedAt);
      if (saved) emit(chatEvents.error(turn.turnId, saved.code, saved.message));
      else emit(chatEvents.final(turn.turnId, { ...state, text: state.answer, cancelled }));
    },
  };

  async function loop(
    turn: TurnInput,
    emit: (event: gatewayv1.ChatResponse) => void,
    signal: AbortSignal,
    state: TurnState,
  ): Promise<void> {
    const context = await turn.agent.context({ signal });
    const exposed = await catalog.tools(turn.agent, turn.principal, { signal });
    const tools = new Map(exposed.map((tool) => [tool.descriptor.name, tool]));
    const messages: ModelMessage[] = [
      { role: 'system', content: buildSystemPrompt(context, options.systemPromptLimits) },
      { role: 'user', content: turn.text },
    ];
    const modelTools = [...tools.values()].map(toModelTool);
    for (let round = 0; ; round++) {
      const { text, calls } = await streamRound(turn, emit, signal, state, messages, modelTools);
      if (calls.length === 0) return;
      if (round >= options.maxToolRounds) {
        const note = `\n\n[Stopped: the model asked for more tools after ${options.maxToolRounds} rounds of tool calls, the limit for one turn.]`;
        state.answer += note;
        emit(chatEvents.delta(turn.turnId, note));
        return;
      }
      messages.push({ role: 'assistant', content: text, toolCalls: calls });
      const outcomes = await runToolRound({ ...turn, catalog, tools, signal, emit, now }, calls);
      state.toolRounds++;
      record(state, messages, outcomes);
    }
  }

  async function streamRound(
    turn: TurnInput,
    emit: (event: gatewayv1.ChatResponse) => void,
    signal: AbortSignal,
    state: TurnState,
    messages: readonly ModelMessage[],
    tools: readonly ModelTool[],
  ): Promise<{ text: string; calls: ModelToolCall[] }> {
    let text = '';
    const calls: ModelToolCall[] = [];
    for await (const event of abortable(
      options.model.stream({ messages, tools, signal }),
      signal,
    )) {
      if (event.type === 'text') {
        text += event.text;
        state.answer += event.text;
        emit(chatEvents.delta(turn.turnId, event.text));
      } else if (event.type === 'tool_call') {
        calls.push(event.call);
      } else {
        state.promptTokens += event.promptTokens;
        state.completionTokens += event.completionTokens;
      }
    }
    // Some clients end a stream quietly on abort; a cancelled turn must not look finished.
    signal.throwIfAborted();
    return { text, calls };
  }

  /**
   * Saves the turn (also a cancelled one: what the user saw is part of the conversation).
   * A public session has an ephemeral, read-only workspace: nothing to save it to.
   */
  async function save(
    turn: TurnInput,
    state: TurnState,
    startedAt: Date,
  ): Promise<WarmgateError | undefined> {
    if (turn.principal.mode === AuthMode.PUBLIC) return undefined;
    const timeout = deadline(undefined, saveTimeoutMs, 'saving the turn');
    try {
      const finished = {
        turnId: turn.turnId,
        userText: turn.text,
        answerText: state.answer,
        toolCalls: state.toolCalls,
        startedAt,
        finishedAt: new Date(now()),
      };
      await turn.agent.appendTurn(finished, { signal: timeout.signal, timeoutMs: saveTimeoutMs });
      return undefined;
    } catch (error) {
      const cause = WarmgateError.from(error);
      return new WarmgateError(
        cause.code === ErrorCode.CANCELLED ? ErrorCode.UNAVAILABLE : cause.code,
        `the answer was produced but could not be saved to the conversation: ${cause.message}`,
        { cause },
      );
    } finally {
      timeout.clear();
    }
  }
}

function record(state: TurnState, messages: ModelMessage[], outcomes: ToolOutcome[]): void {
  for (const outcome of outcomes) {
    state.toolCalls.push({ name: outcome.call.name, isError: outcome.result.isError });
    messages.push({ role: 'tool', toolCallId: outcome.call.id, content: outcome.text });
  }
}

function toModelTool(tool: ExposedTool): ModelTool {
  const { name, description, inputSchema } = tool.descriptor;
  return { name, description, parameters: inputSchema };
}
