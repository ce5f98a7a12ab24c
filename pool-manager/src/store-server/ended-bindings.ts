// A binding's store credential stops working when the binding ends. The credential is an HMAC
// the store checks without state, so "ended" is the one thing the store must remember: the
// pool manager, after its final drain, tells the store (POST /_warmgate/ended/<binding>,
// signed with the store secret), and the store keeps a marker file per ended binding on its
// volume (it survives a store restart). Markers are tiny; they may be pruned once every
// credential of that binding has expired anyway.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const ENDED_PREFIX = '/_warmgate/ended/';

/** The signature the pool manager sends: HMAC(store secret, "ended\0" + binding id). */
export function endedSignature(secret: Uint8Array | string, bindingId: string): string {
  return createHmac('sha256', secret).update(`ended\0${bindingId}`).digest('base64url');
}

export function endedSignatureValid(
  secret: Uint8Array | string,
  bindingId: string,
  given: string,
): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(endedSignature(secret, bindingId)), digest(given));
}

export interface EndedBindings {
  mark(bindingId: string): Promise<void>;
  has(bindingId: string): Promise<boolean>;
}

export function endedBindings(root: string): EndedBindings {
  const dir = join(root, '.warmgate-ended');
  // Binding ids are opaque strings: hashed into file names.
  const file = (bindingId: string) =>
    join(dir, createHash('sha256').update(bindingId).digest('hex'));
  return {
    async mark(bindingId) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(file(bindingId), '');
    },
    has: (bindingId) =>
      stat(file(bindingId)).then(
        () => true,
        () => false,
      ),
  };
}

/** The pool manager's side: tells the store a binding ended (best effort, bounded). */
export async function notifyBindingEnded(
  storeUrl: string,
  secret: Uint8Array | string,
  bindingId: string,
): Promise<void> {
  const url = `${storeUrl.replace(/\/$/, '')}${ENDED_PREFIX}${encodeURIComponent(bindingId)}`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${endedSignature(secret, bindingId)}` },
    signal: AbortSignal.timeout(5_000),
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`the repo store answered ${response.status}`);
}
