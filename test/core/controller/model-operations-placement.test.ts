// `rune deploy CHARM --to N` on the controller side (issue 15 item 12): the bundle the CLI writes
// declares machine N and asks for existing machines, so the unit goes on the model's machine N
// and nothing is made; a machine the model lacks refuses the deploy whole.
import { afterEach, describe, expect, it } from 'vitest';
import { ModelRequestError } from '../../../core/controller/model-operations.js';
import { refused, removeTestDirs, setup } from './model-operations-setup.js';

afterEach(removeTestDirs);

const charmTo = (to: string) =>
  `applications:\n  etcd: {charm: etcd, num_units: 1, to: ["${to}"]}\nmachines:\n  "1": {}\n`;

describe('deploy onto existing machines', () => {
  it('puts the unit on the model’s machine N and makes none', async () => {
    const m = setup();
    m.record('');
    m.record('');
    const bundle = m.file('b.yaml', charmTo('1'));
    const { changes } = await m.ops.deploy(bundle, [], { existingMachines: true });
    expect(changes).toContain('add unit etcd/0 to existing machine 1');
    expect(m.made).toEqual([]);
    expect(m.store.unit('etcd/0')?.machine).toBe('1');
    // The same bundle without the option would have made a machine of its own.
    expect(m.store.machines().map((x) => x.id)).toEqual(['0', '1']);
  });

  it('refuses a machine the model does not have, changing nothing', async () => {
    const m = setup();
    const bundle = m.file('b.yaml', charmTo('1'));
    await refused(
      m,
      () => m.ops.deploy(bundle, [], { existingMachines: true }),
      ModelRequestError,
      /^machine 1 not found; rune status lists the machines$/,
    );
  });
});
