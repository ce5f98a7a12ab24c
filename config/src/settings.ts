// Reads one service's WARMGATE_* settings and collects every problem, so start-up fails once
// with a ConfigError that names each bad setting instead of stopping at the first.
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.js';
import {
  parseBoolean,
  parseDuration,
  parseInteger,
  parseNumber,
  parsePort,
  type DurationOptions,
  type NumberRange,
} from './parse.js';

export type Env = Readonly<Record<string, string | undefined>>;

export class Settings {
  constructor(
    private readonly env: Env,
    /** Named in the error: "gateway", "pool manager", "agent". */
    private readonly service: string,
    /** Where problems are collected (a service's own checks may push to it too). */
    private readonly problems: string[] = [],
  ) {}

  /** The value exactly as set (keys, PEMs), or undefined when unset or blank. */
  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  }

  /** The trimmed value, or undefined when unset or blank. */
  optional(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  /**
   * `parse(raw)` of a setting's text (`raw` defaults to the set value); a throw becomes a
   * problem `NAME="raw": message` and the fallback is returned so reading goes on.
   */
  parse<T>(name: string, raw: string | undefined, parse: (raw: string) => T, fallback: T): T {
    if (raw === undefined) return fallback;
    try {
      return parse(raw);
    } catch (error) {
      this.problem(`${name}=${JSON.stringify(raw)}: ${(error as Error).message}`);
      return fallback;
    }
  }

  bool(name: string, fallback: boolean): boolean {
    return this.parse(name, this.optional(name), parseBoolean, fallback);
  }

  int(name: string, fallback: number, range: NumberRange = {}): number {
    return this.parse(name, this.optional(name), (raw) => parseInteger(raw, range), fallback);
  }

  number(name: string, fallback: number, range: NumberRange = {}): number {
    return this.parse(name, this.optional(name), (raw) => parseNumber(raw, range), fallback);
  }

  port(name: string, fallback: number): number {
    return this.parse(name, this.optional(name), parsePort, fallback);
  }

  /** Milliseconds; see parseDuration for the syntax (a bare number is in `options.bare`). */
  duration(name: string, fallbackMs: number, options: DurationOptions = {}): number {
    return this.parse(name, this.optional(name), (raw) => parseDuration(raw, options), fallbackMs);
  }

  /** A `_S` setting: whole seconds, a bare number or a duration with a unit ("2m"). */
  seconds(name: string, fallbackS: number, range: NumberRange = {}): number {
    const parseSeconds = (raw: string) => {
      const ms = parseDuration(raw, { bare: 's' });
      if (ms % 1000 !== 0) throw new Error('expected whole seconds');
      return parseInteger(String(ms / 1000), range);
    };
    return this.parse(name, this.optional(name), parseSeconds, fallbackS);
  }

  choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const parseChoice = (raw: string) => {
      const value = raw.toLowerCase();
      if ((allowed as readonly string[]).includes(value)) return value as T;
      throw new Error(`expected one of ${allowed.join(', ')}`);
    };
    return this.parse(name, this.optional(name), parseChoice, fallback);
  }

  /**
   * A secret given as `NAME` or as `NAME_FILE` (a path to a file holding it), at most one of
   * the two; trimmed. Its value never appears in a problem.
   */
  secret(name: string, minLength = 0): string | undefined {
    const value = this.optional(name);
    const file = this.optional(`${name}_FILE`);
    if (value !== undefined && file !== undefined) {
      this.problem(`${name} and ${name}_FILE: set at most one`);
      return undefined;
    }
    let secret = value;
    if (file !== undefined) {
      try {
        secret = readFileSync(file, 'utf8').trim();
      } catch (error) {
        this.problem(`${name}_FILE=${JSON.stringify(file)}: ${(error as Error).message}`);
        return undefined;
      }
    }
    if (secret === undefined || secret === '') return undefined;
    if (secret.length < minLength) {
      this.problem(
        `${file === undefined ? name : `${name}_FILE`}: must be at least ${minLength} characters`,
      );
      return undefined;
    }
    return secret;
  }

  /** A problem found by the service's own checks; start it with the setting's name. */
  problem(text: string): void {
    this.problems.push(text);
  }

  /** True when nothing is wrong so far. */
  get valid(): boolean {
    return this.problems.length === 0;
  }

  /** Throws one ConfigError listing every problem, if there is any. */
  finish(): void {
    if (this.problems.length > 0) throw new ConfigError(this.service, [...this.problems]);
  }
}
