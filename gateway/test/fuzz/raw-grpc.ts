// A grpc-js client with identity serializers: it sends whatever bytes it is given to any
// method of the Gateway service, bypassing every client-side check.
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';

export interface RawStatus {
  readonly code: number;
  readonly details: string;
  /** Response messages received (bytes). */
  readonly messages: number;
}

const identity = (bytes: Buffer) => bytes;

export class RawGrpc {
  private readonly client: Client;

  constructor(address: string) {
    this.client = new Client(address, credentials.createInsecure());
  }

  unary(path: string, body: Uint8Array, token?: string, timeoutMs = 5_000): Promise<RawStatus> {
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(
        path,
        identity,
        identity,
        Buffer.from(body),
        metadata(token),
        { deadline: Date.now() + timeoutMs },
        (error: ServiceError | null) =>
          resolve(
            error
              ? { code: error.code, details: error.details, messages: 0 }
              : { code: 0, details: '', messages: 1 },
          ),
      );
    });
  }

  /** A bidi call: sends each body, half-closes, and collects what comes back. */
  bidi(path: string, bodies: Uint8Array[], token?: string, timeoutMs = 5_000): Promise<RawStatus> {
    return new Promise((resolve) => {
      const call = this.client.makeBidiStreamRequest(path, identity, identity, metadata(token), {
        deadline: Date.now() + timeoutMs,
      });
      let messages = 0;
      call.on('data', () => messages++);
      call.on('error', () => undefined); // the status event carries the outcome
      call.on('status', (status: { code: number; details: string }) =>
        resolve({ code: status.code, details: status.details, messages }),
      );
      for (const body of bodies) call.write(Buffer.from(body));
      call.end();
    });
  }

  close(): void {
    this.client.close();
  }
}

function metadata(token: string | undefined): Metadata {
  const md = new Metadata();
  if (token !== undefined) md.set('authorization', `Bearer ${token}`);
  return md;
}
