import { describe, expect, it } from 'vitest';
import { withPolicy } from './embedded-policy.js';

const plain = '[core]\n\trepositoryformatversion = 0\n\tbare = true\n';

describe('withPolicy', () => {
  it('adds the receive settings and the relative hooks path once', () => {
    const once = withPolicy(plain);
    expect(once.startsWith(plain)).toBe(true);
    expect(once).toContain('\tfsckObjects = true');
    expect(once).toContain('\tdenyNonFastForwards = true');
    expect(once).toContain('\tdenyDeletes = true');
    expect(once).toContain('\thooksPath = ../.warmgate-hooks');
    expect(once).toContain('[receive]\n\tfsckObjects = true');
    expect(once).toContain('\tunpackLimit = 1'); // a push stays one pack
    expect(once).toContain('[gc]\n\tautoDetach = false');
    expect(withPolicy(once)).toBe(once); // idempotent: a second start changes nothing
  });

  it('replaces an older block and keeps what follows it', () => {
    const old = withPolicy(plain).replace('denyDeletes = true', 'denyDeletes = false');
    const later = `${old}[user]\n\tname = x\n`;
    const updated = withPolicy(later);
    expect(updated).not.toContain('denyDeletes = false');
    expect(updated).toContain('[user]\n\tname = x\n');
    expect(updated.match(/written by the pool manager/g)).toHaveLength(1);
  });
});
