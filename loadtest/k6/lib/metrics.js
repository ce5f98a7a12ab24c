// The custom metrics every scenario reports (k6 adds its own ws_*, grpc_* and checks).
// Names are prefixed so the runner and the report can find them in k6's summary.
import { Counter, Rate, Trend } from 'k6/metrics';

/** WebSocket open until the gateway answered `authenticated` (or the socket opened, header auth). */
export const wsConnect = new Trend('warmgate_ws_connect', true);
/** One chat turn, from sending the message to its `final` event. */
export const chatTurn = new Trend('warmgate_chat_turn', true);
/** From sending a chat message to the turn's first event. */
export const chatFirstEvent = new Trend('warmgate_chat_first_event', true);
/** One direct tool call (WebSocket call_tool frame or gRPC CallTool). */
export const toolCall = new Trend('warmgate_tool_call', true);
/** One ReadResource. */
export const readResource = new Trend('warmgate_read_resource', true);
/** Every operation that should succeed, succeeded or not. */
export const ok = new Rate('warmgate_ok');
/** Operations that failed, by kind (tag `op`). */
export const failures = new Counter('warmgate_failures');

/** Records the outcome of one operation; logs the first few failures for the operator. */
export function outcome(op, succeeded, detail) {
  ok.add(succeeded, { op });
  if (!succeeded) {
    failures.add(1, { op });
    if (failures.logged === undefined) failures.logged = 0;
    if (failures.logged++ < 5) console.warn(`${op} failed: ${detail}`);
  }
  return succeeded;
}
