// Connection caps per transport: a global one and one per client IP. A connection takes a
// ticket when it opens and gives it back exactly once when it closes.

export interface ConnectionCapsConfig {
  /** Open connections of one transport, all clients together. */
  readonly max: number;
  /** Open connections of one transport from one IP address. */
  readonly perIp: number;
}

export type CapReason = 'connections_global' | 'connections_per_ip';

export interface Ticket {
  /** Gives the slot back; idempotent. */
  release(): void;
}

export class ConnectionCaps {
  private open = 0;
  private readonly byIp = new Map<string, number>();

  constructor(private readonly config: ConnectionCapsConfig) {}

  /** A ticket, or the reason there is none. */
  admit(ip: string): Ticket | CapReason {
    if (this.open >= this.config.max) return 'connections_global';
    const fromIp = this.byIp.get(ip) ?? 0;
    if (fromIp >= this.config.perIp) return 'connections_per_ip';
    this.open++;
    this.byIp.set(ip, fromIp + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.open--;
        const left = (this.byIp.get(ip) ?? 1) - 1;
        if (left <= 0) this.byIp.delete(ip);
        else this.byIp.set(ip, left);
      },
    };
  }

  get size(): number {
    return this.open;
  }
}
