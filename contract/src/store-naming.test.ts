import { describe, expect, it } from 'vitest';
import { ErrorCode, WarmgateError } from '@warmgate/proto';
import { repoPathFor, repoUrlFor, safeUserName } from './store-naming.js';
import { validateUserId } from './user-id.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return WarmgateError.from(error).code;
  }
};

describe('repo store naming', () => {
  it('keeps safe ids readable', () => {
    for (const id of ['alice', 'user-42', 'a_b', 'bob.smith']) expect(safeUserName(id)).toBe(id);
  });

  it('maps every unsafe id to a hashed name that cannot escape the store', () => {
    const unsafe = [
      '../etc',
      '..',
      '.',
      'a/b',
      'A',
      'Alice',
      'x.git',
      'y.lock',
      'a..b',
      '.hidden',
      'é',
      'a b',
    ];
    const names = unsafe.map(safeUserName);
    for (const name of names) expect(name).toMatch(/^_[0-9a-f]{48}$/);
    expect(new Set(names).size).toBe(unsafe.length);
    expect(repoPathFor('/store', '../../etc/passwd')).toMatch(/^\/store\/_[0-9a-f]{48}\.git$/);
  });

  it('keeps case-different ids apart (case-insensitive disks)', () => {
    expect(safeUserName('Alice')).not.toBe(safeUserName('alice'));
  });

  it('never lets a hashed name collide with a safe one', () => {
    expect(safeUserName('_abc')).toMatch(/^_[0-9a-f]{48}$/);
    expect(safeUserName('_abc')).not.toBe('_abc');
  });

  it('refuses ids no user can have', () => {
    expect(codeOf(() => validateUserId(''))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => validateUserId('x'.repeat(257)))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => validateUserId('a\nb'))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => validateUserId('x'.repeat(256)))).toBe('ok');
  });

  it('gives file:// URLs under an absolute root', () => {
    expect(repoUrlFor('/var/store', 'bob')).toBe('file:///var/store/bob.git');
    expect(repoUrlFor('/var/store', 'a b')).toMatch(/^file:\/\/\/var\/store\/_[0-9a-f]{48}\.git$/);
  });
});
