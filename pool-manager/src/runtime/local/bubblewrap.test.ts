import { describe, expect, it } from 'vitest';
import { bubblewrapArgs } from './bubblewrap.js';

/** The mount options in order, as [option, path] pairs. */
const mounts = (args: string[]) => {
  const out: string[] = [];
  for (let i = 0; i < args.indexOf('--'); i++) {
    if (['--tmpfs', '--ro-bind', '--bind'].includes(args[i]!))
      out.push(`${args[i]} ${args[i + 1]}`);
  }
  return out;
};

describe('bubblewrapArgs', () => {
  it('hides the home, shows the code again, hides the state dir inside it, then the own folder', () => {
    const args = bubblewrapArgs(
      {
        containerDir: '/home/op/warmgate/.warmgate/containers/c-1',
        hidden: [
          '/home/op/warmgate/.warmgate/containers',
          '/home/op/warmgate/.warmgate/store',
          '/home/op',
        ],
        readOnly: ['/home/op/warmgate', '/usr'],
      },
      '/home/op/warmgate/node_modules/node/bin/node',
      ['agent/dist/main.js', 'agent'],
    );
    expect(mounts(args)).toEqual([
      '--ro-bind /',
      '--tmpfs /home/op',
      '--ro-bind /home/op/warmgate',
      '--tmpfs /tmp',
      '--tmpfs /home/op/warmgate/.warmgate/store',
      '--tmpfs /home/op/warmgate/.warmgate/containers',
      '--bind /home/op/warmgate/.warmgate/containers/c-1',
    ]);
    expect(args).toEqual(expect.arrayContaining(['--unshare-pid', '--proc', '/proc']));
    expect(args.slice(args.indexOf('--') + 1)).toEqual([
      '/home/op/warmgate/node_modules/node/bin/node',
      'agent/dist/main.js',
      'agent',
    ]);
    // Never its own session: the pool manager stops a container by its process group.
    expect(args).not.toContain('--new-session');
    expect(args).not.toContain('--die-with-parent'); // containers outlive a pool manager restart
  });

  it('shows code checked out under /tmp again over the fresh /tmp (a CI clone)', () => {
    const args = bubblewrapArgs(
      {
        containerDir: '/tmp/state/containers/c-1',
        hidden: ['/tmp/state/containers', '/root'],
        readOnly: ['/tmp/ci/warmgate', '/tmp/ci/warmgate/node_modules/node'],
      },
      '/tmp/ci/warmgate/node_modules/node/bin/node',
      ['agent/dist/main.js', 'agent'],
    );
    expect(mounts(args)).toEqual([
      '--ro-bind /',
      '--tmpfs /tmp',
      '--ro-bind /tmp/ci/warmgate',
      '--ro-bind /tmp/ci/warmgate/node_modules/node',
      '--tmpfs /root',
      '--tmpfs /tmp/state/containers',
      '--bind /tmp/state/containers/c-1',
    ]);
  });
});
