// The command line history records for a request: the CLI's syntax, words quoted as a shell
// would need them, and a secret option's value never written, even quoted.
import { describe, expect, it } from 'vitest';
import { commands } from '../../../core/controller/history-commands.js';

describe('history commands', () => {
  it('writes each verb as the CLI takes it', () => {
    expect(commands.deploy({ bundle: '/b/k8s.yaml', overlays: ['/b/o.yaml'] })).toBe(
      'deploy /b/k8s.yaml --overlay /b/o.yaml',
    );
    expect(commands.addUnits({ application: 'etcd', count: 2, to: '3' })).toBe(
      'add-unit etcd -n 2 --to 3',
    );
    expect(commands.removeUnits({ units: ['etcd/1', 'etcd/2'], force: true })).toBe(
      'remove-unit etcd/1 etcd/2 --force',
    );
    expect(
      commands.refresh({ application: 'etcd', revision: 2, policy: { maxInFlight: '100%' } }),
    ).toBe('refresh etcd --revision 2 --max-in-flight 100%');
    expect(commands.rollback({ application: 'etcd', to: 4 })).toBe('rollback etcd --to 4');
  });

  it('quotes a value with blanks, and never writes a secret one', () => {
    expect(
      commands.config({
        application: 'etcd',
        values: { motd: "it's up", 'admin-password': 'a b' },
        reset: ['port'],
      }),
    ).toBe(`config etcd 'motd=it'\\''s up' admin-password=[redacted] --reset port`);
  });
});
