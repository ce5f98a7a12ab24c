// Generators of WebSocket client frames: well-formed frames with hostile values, arbitrary
// JSON, arbitrary text, arbitrary bytes and mutated protobuf frames.
import { fromBinary, fromJsonString, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { gatewayv1 } from '@warmgate/proto';

const toolNames = ['market_quote', 'note_read', 'note_write', 'time_now', 'conversation_append'];
const uris = ['context://user-profile', 'context://system-prompt', 'indicators://list'];

/** Frame ids: empty, normal, up to and past the 64-character limit (never the fence's). */
export const frameId = fc
  .oneof(
    fc.constant(''),
    fc.stringMatching(/^[a-z0-9-]{1,12}$/),
    fc.string({ maxLength: 70, unit: 'grapheme' }),
  )
  .filter((id) => id !== 'fence');

const jsonObject = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), {
  maxKeys: 6,
});

/** A frame object of a kind that always gets an answer, with hostile values. */
export const structuredFrame = fc
  .record(
    {
      id: frameId,
      body: fc.oneof(
        fc.record({ listTools: fc.oneof(fc.constant({}), jsonObject) }),
        fc.record({
          callTool: fc.record(
            {
              name: fc.oneof(fc.constantFrom(...toolNames), fc.string({ maxLength: 40 })),
              arguments: fc.oneof(jsonObject, fc.jsonValue({ maxDepth: 2 })),
            },
            { requiredKeys: [] },
          ),
        }),
        fc.record({
          readResource: fc.record(
            { uri: fc.oneof(fc.constantFrom(...uris), fc.string({ maxLength: 60 })) },
            { requiredKeys: [] },
          ),
        }),
        fc.record({
          ping: fc.record(
            {
              nonce: fc.oneof(
                fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
                fc.jsonValue({ maxDepth: 1 }),
              ),
            },
            { requiredKeys: [] },
          ),
        }),
        fc.record({ authenticate: fc.record({ token: fc.string({ maxLength: 80 }) }) }),
      ),
      extra: fc.option(jsonObject, { nil: undefined }),
    },
    { requiredKeys: ['id', 'body'] },
  )
  .map(({ id, body, extra }) => ({ ...extra, id, ...body }));

/** Bytes of a valid binary frame with some bytes overwritten. */
export const mutatedBinaryFrame = fc
  .tuple(
    structuredFrame,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
  )
  .map(([frame, flips]) => {
    const bytes = binaryOf(frame) ?? new Uint8Array([0x0a, 0x01, 0x61]);
    const out = Uint8Array.from(bytes);
    for (const [at, value] of flips) if (out.length > 0) out[at % out.length] = value;
    return out;
  });

/** The protobuf binary form of a JSON frame object, when it is a valid frame. */
export function binaryOf(frame: unknown): Uint8Array | undefined {
  try {
    return toBinary(
      gatewayv1.ClientFrameSchema,
      fromJsonString(gatewayv1.ClientFrameSchema, JSON.stringify(frame)),
    );
  } catch {
    return undefined;
  }
}

/**
 * Whether the server must answer this frame: everything except a well-formed cancel (no
 * answer for an id not in flight) or chat (answers stream later, as a turn).
 */
export function mustAnswer(data: string | Uint8Array): boolean {
  let frame: gatewayv1.ClientFrame;
  try {
    frame =
      typeof data === 'string'
        ? fromJsonString(gatewayv1.ClientFrameSchema, data)
        : fromBinary(gatewayv1.ClientFrameSchema, data);
  } catch {
    return true;
  }
  const quiet = frame.kind.case === 'cancel' || frame.kind.case === 'chat';
  return !(quiet && frame.id !== '' && frame.id.length <= 64);
}

/** The id whose answer may come after the fence (asynchronous requests), if any. */
export function asyncAnswerId(data: string | Uint8Array): string | undefined {
  try {
    const frame =
      typeof data === 'string'
        ? fromJsonString(gatewayv1.ClientFrameSchema, data)
        : fromBinary(gatewayv1.ClientFrameSchema, data);
    const async = ['callTool', 'listTools', 'readResource'].includes(frame.kind.case ?? '');
    return async && frame.id !== '' && frame.id.length <= 64 && frame.id !== 'fence'
      ? frame.id
      : undefined;
  } catch {
    return undefined;
  }
}
