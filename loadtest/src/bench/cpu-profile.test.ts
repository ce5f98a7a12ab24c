import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageOf, roleOf, summariseProfiles } from './cpu-profile.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const frame = (id: number, functionName: string, url = '', lineNumber = 0) => ({
  id,
  callFrame: { functionName, url, lineNumber },
});

describe('summariseProfiles', () => {
  it('splits busy time by role, package and function, leaving idle time out of the shares', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warmgate-cpu-profile-'));
    dirs.push(dir);
    const agent = {
      nodes: [
        frame(1, '(idle)'),
        frame(2, 'handleRequest', 'file:///w/node_modules/@modelcontextprotocol/sdk/dist/x.js', 9),
        frame(3, 'checkoutCommit', 'file:///w/agent/dist/git/checkout.js', 1),
        frame(4, '(garbage collector)'),
      ],
      // µs before each sample: 6 ms idle, 3 ms SDK, 1 ms own code, 0 ms GC... then 2 ms GC.
      samples: [1, 2, 3, 4],
      timeDeltas: [6000, 3000, 1000, 2000],
    };
    const sidecar = {
      nodes: [frame(1, 'bind', 'file:///w/agent/dist/sidecar/lifecycle-service.js')],
      samples: [1],
      timeDeltas: [500],
    };
    writeFileSync(join(dir, 'a.cpuprofile'), JSON.stringify(agent));
    writeFileSync(join(dir, 'b.cpuprofile'), JSON.stringify(sidecar));
    writeFileSync(join(dir, 'ignored.txt'), 'not a profile');
    const roles = summariseProfiles(dir);
    const a = roles.find((r) => r.role === 'agent')!;
    expect(a).toMatchObject({ processes: 1, busy_ms: 6, profiled_ms: 12 });
    expect(a.packages).toEqual([
      { name: '@modelcontextprotocol/sdk', ms: 3, share: 0.5 },
      { name: 'GC', ms: 2, share: 0.333 },
      { name: '@warmgate/agent', ms: 1, share: 0.167 },
    ]);
    expect(a.functions[0]).toEqual({
      name: 'handleRequest node_modules/@modelcontextprotocol/sdk/dist/x.js:10',
      ms: 3,
      share: 0.5,
    });
    expect(roles.find((r) => r.role === 'sidecar')).toMatchObject({ processes: 1, busy_ms: 1 });
  });

  it('names packages and roles from script URLs', () => {
    expect(packageOf('f', 'node:internal/modules/esm/loader')).toBe('node: internals');
    expect(packageOf('f', 'file:///w/node_modules/jose/dist/a.js')).toBe('jose');
    expect(packageOf('f', 'file:///w/pool-manager/dist/pool/warm-pool.js')).toBe(
      '@warmgate/pool-manager',
    );
    expect(roleOf(['file:///w/gateway/dist/stack/main.js', 'node:fs'])).toBe('stack');
    expect(roleOf(['node:fs'])).toBe('other');
  });
});
