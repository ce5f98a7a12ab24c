import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTemplateRepo } from './template-repo.js';

const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('createTemplateRepo', () => {
  it('removes templates left by dead processes, keeps live ones', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'template-sweep-'));
    made.push(parent);
    const deadPid = 2 ** 22 + 12345; // above Linux's pid_max default: never a live process
    await mkdir(join(parent, `warmgate-template-${deadPid}-abc`));
    await mkdir(join(parent, `warmgate-template-${process.pid}-live`));
    await mkdir(join(parent, 'something-else'));
    const template = await createTemplateRepo(parent);
    const names = await readdir(parent);
    expect(names).not.toContain(`warmgate-template-${deadPid}-abc`);
    expect(names).toContain(`warmgate-template-${process.pid}-live`);
    expect(names).toContain('something-else');
    expect(template.path.startsWith(join(parent, `warmgate-template-${process.pid}-`))).toBe(true);
    await template.remove();
  });
});
