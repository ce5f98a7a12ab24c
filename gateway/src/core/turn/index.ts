export type {
  Model,
  ModelEvent,
  ModelMessage,
  ModelRequest,
  ModelTool,
  ModelToolCall,
} from './model.js';
export { createTurnRunner, type TurnRunnerOptions } from './turn-runner.js';
export {
  buildSystemPrompt,
  defaultSystemPromptLimits,
  type SystemPromptLimits,
} from './system-prompt.js';
