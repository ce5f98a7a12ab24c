// Settings every test stack shares.

/** The Pool deployment secret of every test pool manager (WARMGATE_POOL_SECRET). */
export const TEST_POOL_SECRET = 'test-pool-secret-0123456789abcdef-0123456789';

/**
 * Many requests and turns per user in seconds, and anonymous chat through a scripted ("paid")
 * model; admission is tested on its own (gateway/test/security/, test/llm/).
 */
export const OPEN_ADMISSION_ENV: Readonly<Record<string, string>> = {
  WARMGATE_PUBLIC_CHAT: 'true',
  WARMGATE_RATE_REQUESTS_PER_S: '100000',
  WARMGATE_RATE_REQUESTS_BURST: '100000',
  WARMGATE_RATE_TURNS_PER_MIN: '100000',
  WARMGATE_RATE_TURNS_BURST: '100000',
};
