import { describe, expect, it } from 'vitest';
import { parseArgs } from './cli-args.js';
import { isLoopback } from './target.js';

describe('loadtest command line', () => {
  it('accepts a scenario with loopback targets and options', () => {
    expect(
      parseArgs(['ws-chat', '--target', '127.0.0.1:8080', '--duration', '2m', '--users', '20']),
    ).toEqual({ scenario: 'ws-chat', target: '127.0.0.1:8080', duration: '2m', users: 20 });
    expect(
      parseArgs(['grpc-terminal', '--target', 'localhost:1', '--grpc-target', '[::1]:50051']),
    ).toMatchObject({ grpcTarget: '[::1]:50051' });
  });

  it('refuses any target that is not loopback, naming the flag', () => {
    expect(() => parseArgs(['ws-chat', '--target', '10.0.0.5:8080'])).toThrow(
      /--target: 10\.0\.0\.5 is not a loopback address/,
    );
    expect(() => parseArgs(['ws-chat', '--target', 'example.com:80'])).toThrow(/not a loopback/);
    expect(() => parseArgs(['ws-chat', '--target', '127.0.0.1'])).toThrow(/expected host:port/);
  });

  it('refuses bad options with a message naming them', () => {
    expect(() => parseArgs([])).toThrow(/usage/);
    expect(() => parseArgs(['soak', '--duration', 'forever'])).toThrow(/--duration/);
    expect(() => parseArgs(['soak', '--users', '0'])).toThrow(/--users/);
    expect(() => parseArgs(['soak', '--bogus', '1'])).toThrow(/unknown option --bogus/);
    expect(() => parseArgs(['soak', '--grpc-target', '127.0.0.1:1'])).toThrow(/needs --target/);
  });

  it('knows loopback when it sees it', () => {
    expect(['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost'].every(isLoopback)).toBe(true);
    expect(
      ['0.0.0.0', '128.0.0.1', '::', 'localhost.example.com', '::ffff:10.0.0.1'].some(isLoopback),
    ).toBe(false);
  });
});
