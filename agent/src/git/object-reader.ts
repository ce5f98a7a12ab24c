// Reads git objects in-process: loose objects and pack files (index v2, offset and reference
// deltas). Bind uses it to write the user's files without spawning git; it reads, never
// writes, so the worst a bug here can do is fail a bind. A read is synchronous: a loose object
// is one small file, and a promise per object (a thread-pool hop each for open, read, close)
// cost the checkout more CPU than reading it (docs/benchmarks.md, "Where a bind spends its time").
// A packed object is read alone, at its offset (its end is the next object's offset), so a bind
// holds one object at a time, not the whole pack (up to the store's quota).
import { closeSync, fstatSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { errors } from '@warmgate/proto';

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';
export interface GitObject {
  type: ObjectType;
  data: Buffer;
}

const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

interface Pack {
  index: Buffer;
  /** The open pack file and its size. */
  fd: number;
  size: number;
  count: number;
  /** Every object's offset, ascending: where each object ends (built at first read). */
  sorted?: Float64Array;
  /** Delta bases already inflated, by offset (a chain shares its bases). */
  bases: Map<number, GitObject>;
}

/** The most bytes of delta bases kept inflated per reader (oldest dropped first). */
const BASE_CACHE_BYTES = 32 * 1024 * 1024;

export interface ObjectReader {
  read(id: string): GitObject;
  /** Closes the pack files. */
  close(): void;
}

/** Default bound on one inflated object: a zip bomb (a tiny object that inflates to gigabytes) is refused. */
export const DEFAULT_MAX_OBJECT_BYTES = 64 * 1024 * 1024;

export async function openObjectReader(
  gitDir: string,
  maxObjectBytes = DEFAULT_MAX_OBJECT_BYTES,
): Promise<ObjectReader> {
  const tooLarge = (what: string, cause?: unknown) =>
    errors.failedPrecondition(
      `git object ${what} inflates past ${maxObjectBytes} bytes (WARMGATE_AGENT_MAX_OBJECT_BYTES)`,
      cause,
    );
  // +64: room for a loose object's "<type> <size>\0" header.
  const inflate = (bytes: Buffer, what: string) => {
    try {
      return inflateSync(bytes, { maxOutputLength: maxObjectBytes + 64 });
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw tooLarge(what, cause);
      }
      throw errors.internal(`git object ${what} does not inflate`, cause);
    }
  };
  const objects = join(gitDir, 'objects');
  const packs: Pack[] = [];
  // Read in place, as the loose objects are: a bind has nothing else to do meanwhile, and a
  // thread-pool hop per file waits for a core on a busy machine.
  let names: string[];
  try {
    names = readdirSync(join(objects, 'pack'));
  } catch {
    names = [];
  }
  for (const name of names.filter((n) => n.endsWith('.idx'))) {
    const index = readFileSync(join(objects, 'pack', name));
    if (index.readUInt32BE(0) !== 0xff744f63 || index.readUInt32BE(4) !== 2) {
      throw errors.internal(`pack index ${name} is not version 2`);
    }
    let fd: number;
    try {
      fd = openSync(join(objects, 'pack', name.replace(/\.idx$/, '.pack')), 'r');
    } catch (cause) {
      for (const pack of packs) closeSync(pack.fd);
      throw errors.internal(`pack ${name} has no pack file`, cause);
    }
    const count = index.readUInt32BE(8 + 255 * 4);
    packs.push({ index, fd, size: fstatSync(fd).size, count, bases: new Map() });
  }

  /** The packed bytes of the object at `offset`, up to the next object (or the trailer). */
  function entryBytes(pack: Pack, offset: number): Buffer {
    if (pack.sorted === undefined) {
      pack.sorted = new Float64Array(pack.count);
      for (let i = 0; i < pack.count; i++) pack.sorted[i] = offsetAt(pack, i);
      pack.sorted.sort();
    }
    const { sorted } = pack;
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (sorted[mid]! <= offset) low = mid + 1;
      else high = mid;
    }
    const end = low < sorted.length ? sorted[low]! : pack.size - 20; // before the trailing hash
    const length = end - offset;
    // Level 0 adds 5 bytes per 64 KiB block; anything much larger is refused unread.
    if (length <= 0 || length > maxObjectBytes + (maxObjectBytes >> 10) + 4096) {
      throw length <= 0
        ? errors.internal(`pack object at offset ${offset} has no bytes`)
        : tooLarge(`at pack offset ${offset}`);
    }
    const bytes = Buffer.allocUnsafe(length);
    for (let at = 0; at < length;) {
      const read = readSync(pack.fd, bytes, at, length - at, offset + at);
      if (read === 0) throw errors.internal(`pack object at offset ${offset} is cut short`);
      at += read;
    }
    return bytes;
  }

  function read(id: string): GitObject {
    const packed = readFromPacks(Buffer.from(id, 'hex'));
    if (packed !== undefined) return packed;
    let file: Buffer;
    try {
      file = readFileSync(join(objects, id.slice(0, 2), id.slice(2)));
    } catch (cause) {
      throw errors.internal(`git object ${id} not found`, cause);
    }
    const inflated = inflate(file, id);
    const nul = inflated.indexOf(0);
    const [type] = inflated.subarray(0, nul).toString('latin1').split(' ');
    return { type: type as ObjectType, data: inflated.subarray(nul + 1) };
  }

  /** The object named `raw` (20 bytes) from the first pack that holds it. */
  function readFromPacks(raw: Buffer): GitObject | undefined {
    for (const pack of packs) {
      const position = findPosition(pack, raw);
      if (position !== undefined) return readPacked(pack, offsetAt(pack, position), position);
    }
    return undefined;
  }

  function readById(raw: Buffer): GitObject {
    const packed = readFromPacks(raw);
    if (packed !== undefined) return packed;
    throw errors.internal(`delta base ${raw.toString('hex')} is not in a pack`);
  }

  let cachedBytes = 0;
  function readBase(pack: Pack, offset: number): GitObject {
    const cached = pack.bases.get(offset);
    if (cached !== undefined) return cached;
    const base = readPacked(pack, offset);
    if (base.data.length <= BASE_CACHE_BYTES) {
      pack.bases.set(offset, base);
      cachedBytes += base.data.length;
      for (const each of packs) {
        for (const [old, { data }] of each.bases) {
          if (cachedBytes <= BASE_CACHE_BYTES) return base;
          each.bases.delete(old);
          cachedBytes -= data.length;
        }
      }
    }
    return base;
  }

  /** The object at `offset`; `position` (its row in the index) when known, for its CRC. */
  function readPacked(pack: Pack, offset: number, position?: number): GitObject {
    const data = entryBytes(pack, offset);
    let pos = 0;
    let byte = data[pos++]!;
    const type = (byte >> 4) & 7;
    let size = byte & 0x0f;
    for (let shift = 4; byte & 0x80; shift += 7) {
      byte = data[pos++]!;
      size += (byte & 0x7f) * 2 ** shift;
    }
    const what = `at pack offset ${offset}`;
    if (TYPES[type]) {
      // (An object past the bound is left to inflate, which refuses it.)
      const stored =
        position === undefined || size > maxObjectBytes ? undefined : storedBlocks(data, pos, size);
      if (stored === undefined)
        return { type: TYPES[type], data: inflate(data.subarray(pos), what) };
      // Uncompressed (a workspace pushes level 0): the bytes are in the pack as they are.
      // zlib's own check (adler32) is skipped with zlib; the index's CRC of the packed
      // object is checked instead.
      const offsets = 8 + 256 * 4 + pack.count * 20;
      if (
        crc32(data.subarray(0, stored.end)) !== pack.index.readUInt32BE(offsets + position! * 4)
      ) {
        throw errors.internal(`git object ${what} fails its CRC: the pack is damaged`);
      }
      return { type: TYPES[type], data: stored.data };
    }
    let base: GitObject;
    if (type === OFS_DELTA) {
      byte = data[pos++]!;
      let distance = byte & 0x7f;
      while (byte & 0x80) {
        byte = data[pos++]!;
        distance = (distance + 1) * 128 + (byte & 0x7f);
      }
      base = readBase(pack, offset - distance);
    } else if (type === REF_DELTA) {
      base = readById(data.subarray(pos, pos + 20));
      pos += 20;
    } else {
      throw errors.internal(`unknown pack object type ${type}`);
    }
    const delta = inflate(data.subarray(pos), what);
    return { type: base.type, data: applyDelta(base.data, delta, maxObjectBytes) };
  }

  return {
    read,
    close: () => {
      for (const pack of packs) closeSync(pack.fd);
    },
  };
}

/**
 * The contents of a zlib stream made only of stored (uncompressed) blocks, as level 0 writes
 * it, and where the stream ends; undefined for any other stream (inflated as usual).
 */
function storedBlocks(
  data: Buffer,
  start: number,
  size: number,
): { data: Buffer; end: number } | undefined {
  const cmf = data[start];
  const flg = data[start + 1];
  if (cmf === undefined || flg === undefined) return undefined;
  if ((cmf & 0x0f) !== 8 || (cmf * 256 + flg) % 31 !== 0 || flg & 0x20) return undefined;
  const chunks: Buffer[] = [];
  let at = start + 2;
  for (;;) {
    const header = data[at];
    if (header === undefined || ((header >> 1) & 3) !== 0 || at + 5 > data.length) {
      return undefined;
    }
    const length = data.readUInt16LE(at + 1);
    if ((length ^ 0xffff) !== data.readUInt16LE(at + 3) || at + 5 + length > data.length) {
      return undefined;
    }
    chunks.push(data.subarray(at + 5, at + 5 + length));
    at += 5 + length;
    if (header & 1) break;
  }
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  if (bytes.length !== size || at + 4 > data.length) return undefined;
  return { data: bytes, end: at + 4 }; // + adler32
}

function offsetAt(pack: Pack, position: number): number {
  const offsets = 8 + 256 * 4 + pack.count * 24; // after the ids and the CRCs
  const small = pack.index.readUInt32BE(offsets + position * 4);
  if (!(small & 0x80000000)) return small;
  const large = offsets + pack.count * 4 + (small & 0x7fffffff) * 8;
  return Number(pack.index.readBigUInt64BE(large));
}

/** The row of `raw` in the pack's index, or undefined. */
function findPosition(pack: Pack, raw: Buffer): number | undefined {
  const { index } = pack;
  const first = raw[0]!;
  let low = first === 0 ? 0 : index.readUInt32BE(8 + (first - 1) * 4);
  let high = index.readUInt32BE(8 + first * 4);
  const ids = 8 + 256 * 4;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const cmp = index.compare(raw, 0, 20, ids + mid * 20, ids + mid * 20 + 20);
    if (cmp === 0) return mid;
    if (cmp > 0) high = mid;
    else low = mid + 1;
  }
  return undefined;
}

function applyDelta(base: Buffer, delta: Buffer, maxObjectBytes: number): Buffer {
  let pos = 0;
  const varint = () => {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = delta[pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  if (varint() !== base.length) throw errors.internal('delta base size mismatch');
  const size = varint();
  if (size > maxObjectBytes) {
    throw errors.failedPrecondition(
      `a git delta makes an object of ${size} bytes, past ${maxObjectBytes} (WARMGATE_AGENT_MAX_OBJECT_BYTES)`,
    );
  }
  const out = Buffer.alloc(size);
  let written = 0;
  while (pos < delta.length) {
    const op = delta[pos++]!;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let bit = 0; bit < 4; bit++)
        if (op & (1 << bit)) offset += delta[pos++]! * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++)
        if (op & (16 << bit)) size += delta[pos++]! * 2 ** (8 * bit);
      if (size === 0) size = 0x10000;
      written += base.copy(out, written, offset, offset + size);
    } else if (op > 0) {
      written += delta.copy(out, written, pos, pos + op);
      pos += op;
    } else {
      throw errors.internal('invalid delta opcode 0');
    }
  }
  if (written !== out.length) throw errors.internal('delta result size mismatch');
  return out;
}
