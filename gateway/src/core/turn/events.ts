// Constructors for the ChatResponse events of one turn, so the loop reads as a story.
import { create, type JsonObject as ProtoJsonObject } from '@bufbuild/protobuf';
import { gatewayv1, type ErrorCode } from '@warmgate/proto';
import type { JsonObject, ToolDescriptor } from '../ports.js';

type ChatResponse = gatewayv1.ChatResponse;

export const chatEvents = {
  started: (turnId: string, model: string): ChatResponse =>
    create(gatewayv1.ChatResponseSchema, { turnId, kind: { case: 'started', value: { model } } }),

  delta: (turnId: string, text: string): ChatResponse =>
    create(gatewayv1.ChatResponseSchema, { turnId, kind: { case: 'delta', value: { text } } }),

  toolStarted: (
    turnId: string,
    callId: string,
    name: string,
    args: JsonObject,
    route: ToolDescriptor['route'] | undefined,
  ): ChatResponse =>
    create(gatewayv1.ChatResponseSchema, {
      turnId,
      kind: {
        case: 'toolCallStarted',
        value: { callId, name, arguments: args as ProtoJsonObject, route: routeOf(route) },
      },
    }),

  toolFinished: (
    turnId: string,
    callId: string,
    name: string,
    result: gatewayv1.CallToolResponse,
    durationMs: number,
  ): ChatResponse =>
    create(gatewayv1.ChatResponseSchema, {
      turnId,
      kind: {
        case: 'toolCallFinished',
        value: { callId, name, result, durationMs: Math.max(0, Math.round(durationMs)) },
      },
    }),

  final: (
    turnId: string,
    value: {
      text: string;
      toolRounds: number;
      promptTokens: number;
      completionTokens: number;
      cancelled: boolean;
    },
  ): ChatResponse =>
    create(gatewayv1.ChatResponseSchema, {
      turnId,
      kind: {
        case: 'final',
        value: {
          text: value.text,
          toolRounds: value.toolRounds,
          usage: { promptTokens: value.promptTokens, completionTokens: value.completionTokens },
          cancelled: value.cancelled,
        },
      },
    }),

  error: (turnId: string, code: ErrorCode, message: string): ChatResponse =>
    create(gatewayv1.ChatResponseSchema, {
      turnId,
      kind: { case: 'error', value: { code, message } },
    }),
};

function routeOf(route: ToolDescriptor['route'] | undefined): gatewayv1.ToolRoute {
  if (route === 'platform') return gatewayv1.ToolRoute.PLATFORM;
  if (route === 'user') return gatewayv1.ToolRoute.USER;
  return gatewayv1.ToolRoute.UNSPECIFIED;
}

/** A failed tool call as the model and the client see it: a result with is_error set. */
export function errorResult(message: string): gatewayv1.CallToolResponse {
  return create(gatewayv1.CallToolResponseSchema, {
    content: [{ kind: { case: 'text', value: message } }],
    isError: true,
  });
}
