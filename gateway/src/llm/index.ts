// The gateway's models: an OpenAI-compatible endpoint when one is configured, else the
// offline model. Both are measured (LLM latency metric, one span per model request).
import type { Model } from '../core/turn/index.js';
import { measuredModel } from './measured-model.js';
import { createOfflineModel } from './offline-model.js';
import { createOpenAiModel } from './openai-model.js';

export { createOfflineModel, offlineModelName } from './offline-model.js';
export { createOpenAiModel, type OpenAiModelOptions } from './openai-model.js';
export { fromOpenAiError } from './openai-errors.js';
export { measuredModel } from './measured-model.js';

export interface ModelConfig {
  /** Unset: the offline model. */
  readonly baseUrl?: string;
  readonly apiKey?: string;
  readonly model: string;
  readonly timeoutMs: number;
  readonly maxRetries?: number;
  readonly maxTokens?: number;
}

/** The model for this gateway; takes `config.llm` (GatewayConfig) as is. */
export function createModel(config: ModelConfig): Model {
  if (config.baseUrl === undefined) return measuredModel(createOfflineModel(), 'offline');
  return measuredModel(
    createOpenAiModel({
      baseUrl: config.baseUrl,
      apiKey: config.apiKey ?? '',
      model: config.model,
      timeoutMs: config.timeoutMs,
      maxRetries: config.maxRetries,
      ...(config.maxTokens === undefined ? {} : { maxTokens: config.maxTokens }),
    }),
    'openai',
  );
}
