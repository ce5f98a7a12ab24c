// Platform tool results in the shape MCP and the Gateway API share: text for people and
// models, structured content for programs.
import { create, type JsonObject as ProtoJsonObject } from '@bufbuild/protobuf';
import { gatewayv1 } from '@warmgate/proto';

export function toolResult(text: string, structured: object): gatewayv1.CallToolResponse {
  return create(gatewayv1.CallToolResponseSchema, {
    content: [{ kind: { case: 'text', value: text } }],
    // Round-trip through JSON: Struct holds JSON values only (no undefined, no Dates).
    structuredContent: JSON.parse(JSON.stringify(structured)) as ProtoJsonObject,
    isError: false,
  });
}
