// A ToolDescriptor (the core's view) as the wire's Tool message.
import { create, type JsonObject } from '@bufbuild/protobuf';
import { gatewayv1 } from '@warmgate/proto';
import type { ToolDescriptor } from '../ports.js';

export function toProtoTool(tool: ToolDescriptor): gatewayv1.Tool {
  return create(gatewayv1.ToolSchema, {
    name: tool.name,
    description: tool.description,
    // The agent's schema came to us as JSON; it is JSON-safe by construction.
    inputSchema: tool.inputSchema as JsonObject,
    annotations: {
      title: tool.annotations.title ?? '',
      readOnly: tool.annotations.readOnly,
      destructive: tool.annotations.destructive,
      idempotent: tool.annotations.idempotent,
    },
    route: tool.route === 'platform' ? gatewayv1.ToolRoute.PLATFORM : gatewayv1.ToolRoute.USER,
  });
}
