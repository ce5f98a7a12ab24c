// WebSocket frames ⇄ envelope messages. Text frames are protobuf JSON, binary frames protobuf
// binary (proto/warmgate/gateway/v1/websocket.proto). Every malformed frame becomes a specific
// INVALID_ARGUMENT; nothing a client sends can throw past this file.
import {
  create,
  fromBinary,
  fromJsonString,
  toBinary,
  toJsonString,
  type MessageInitShape,
} from '@bufbuild/protobuf';
import { errors, gatewayv1 } from '@warmgate/proto';

export const maxFrameIdChars = 64;

const decoder = new TextDecoder('utf-8', { fatal: true });

export type ServerFrameInit = MessageInitShape<typeof gatewayv1.ServerFrameSchema>;

/** Decodes and checks one client frame (the id and the kind); throws INVALID_ARGUMENT. */
export function decodeClientFrame(data: ArrayBuffer, isBinary: boolean): gatewayv1.ClientFrame {
  let frame: gatewayv1.ClientFrame;
  if (isBinary) {
    try {
      frame = fromBinary(gatewayv1.ClientFrameSchema, new Uint8Array(data));
    } catch (cause) {
      throw errors.invalidArgument('malformed binary frame: not a protobuf ClientFrame', cause);
    }
  } else {
    let text: string;
    try {
      text = decoder.decode(data);
    } catch (cause) {
      throw errors.invalidArgument('malformed text frame: not UTF-8', cause);
    }
    try {
      frame = fromJsonString(gatewayv1.ClientFrameSchema, text);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      // Bounded: the parser's message may quote the frame.
      throw errors.invalidArgument(`malformed text frame: ${reason.slice(0, 300)}`, cause);
    }
  }
  if (frame.id.length > maxFrameIdChars) {
    throw errors.invalidArgument(`frame id longer than ${maxFrameIdChars} characters`);
  }
  if (frame.kind.case === undefined) {
    throw errors.invalidArgument('frame has no known kind (authenticate, chat, call_tool, ...)');
  }
  const needsId = frame.kind.case !== 'authenticate' && frame.kind.case !== 'ping';
  if (needsId && frame.id === '') {
    throw errors.invalidArgument(`a ${frame.kind.case} frame needs an id`);
  }
  return frame;
}

/** Encodes a server frame in the client's form: binary protobuf or JSON text. */
export function encodeServerFrame(init: ServerFrameInit, binary: boolean): string | Uint8Array {
  const frame = create(gatewayv1.ServerFrameSchema, init);
  return binary
    ? toBinary(gatewayv1.ServerFrameSchema, frame)
    : toJsonString(gatewayv1.ServerFrameSchema, frame);
}

/** The id of a frame that failed to decode, when it can still be read (for the error frame). */
export function salvageId(data: ArrayBuffer, isBinary: boolean): string {
  if (isBinary) return '';
  try {
    const parsed: unknown = JSON.parse(decoder.decode(data));
    const id = (parsed as { id?: unknown } | null)?.id;
    return typeof id === 'string' && id.length <= maxFrameIdChars ? id : '';
  } catch {
    return '';
  }
}
