// Limits small enough for tests to reach.
import type { LimitsConfig } from '../../src/config.js';

export const testLimits: LimitsConfig = {
  maxMessageChars: 2_000,
  maxArgumentBytes: 8 * 1024,
  maxFrameBytes: 64 * 1024,
  maxBufferedBytes: 64 * 1024,
  maxInflightPerSocket: 8,
  idleTimeoutS: 16,
  toolTimeoutMs: 5_000,
};
