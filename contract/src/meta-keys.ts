// MCP `_meta` keys the agent sets and the gateway reads.

/** On a tool the agent lists: `true` = internal, for the gateway to call, never shown to the LLM or a client. */
export const INTERNAL_TOOL_META = 'warmgate/internal';
/** On an error tool result: the WarmgateError code name (e.g. `INVALID_ARGUMENT`). */
export const CODE_META = 'warmgate/code';
