// MCP `_meta` keys the agent sets and the gateway reads.

/** On a tool the agent lists: `true` = internal, for the gateway to call, never shown to the LLM or a client. */
export const INTERNAL_TOOL_META = 'warmgate/internal';
/** On an error tool result: the WarmgateError code name (e.g. `INVALID_ARGUMENT`). */
export const CODE_META = 'warmgate/code';

// Set by the gateway, read by the agent: /mcp notifications and cancellation across gateway
// replicas (agent/src/mcp/subscribers.ts, call-registry.ts; docs/architecture.md).

/** On resources/subscribe and /unsubscribe: the subscriber (a gateway client session) it is for. */
export const SUBSCRIBER_META = 'warmgate/subscriber';
/** Client capability (under `experimental`, `{ id }`) of an agent session delivering a subscriber's updates. */
export const SUBSCRIBER_CAPABILITY = 'warmgate/subscriber';
/** On tools/call: the gateway's name for the call (client session + request id). */
export const CALL_META = 'warmgate/call';
/** Notification (gateway → agent, params `{ call, reason? }`): cancel the call of that name. */
export const CANCEL_NOTIFICATION = 'notifications/warmgate/cancelled';
