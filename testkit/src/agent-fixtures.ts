// What the tests of both agents (TypeScript, Python) and the gateway's end-to-end tests agree an
// agent serves: the six context resources, and one user-written Python indicator (numpy) whose
// output a test can compute by hand. One copy, so the suites cannot drift apart.

/** The context resources every agent lists (the MCP contract, docs/architecture.md). */
export const CONTEXT_RESOURCE_URIS: readonly string[] = [
  'context://user-profile',
  'context://conversation-summary',
  'context://workspace-state',
  'context://system-prompt',
  'indicators://list',
  'strategies://list',
];

/** Its description (the docstring) as indicator_get reports it. */
export const NUMPY_INDICATOR_DESCRIPTION = 'Close minus its 3-bar numpy mean.';

/**
 * A user-written Python indicator: close minus the mean of the last three closes (null for
 * the first two candles); for closes 10, 11, 12, 14, 13 it gives null, null, 1, 1.666…, 0.
 */
export const NUMPY_INDICATOR_SOURCE = `"""${NUMPY_INDICATOR_DESCRIPTION}"""
import numpy as np

def compute(candles):
    close = candles["close"]
    out = [None] * len(close)
    for i in range(2, len(close)):
        out[i] = float(close[i] - np.mean(close[i - 2 : i + 1]))
    return out
`;
