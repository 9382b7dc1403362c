// The layer rules as lint enforces them (DESIGN §3, STYLE.md practice 2): the pure and
// contract rooms never import agents/; in core/controller only the composition root does.
// Read from the project's own eslint config, file by file, so a config edit that drops a
// rule (or a later block that overrides it) fails here.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function restrictedGroups(file: string): Promise<string[]> {
  const config = (await eslint.calculateConfigForFile(file)) as {
    rules?: Record<string, unknown>;
  };
  const rule = config.rules?.['no-restricted-imports'] as
    [unknown, { patterns?: { group: string[] }[] }] | undefined;
  return (rule?.[1]?.patterns ?? []).flatMap((p) => p.group);
}

describe('layer rules', () => {
  it.each([
    'core/model/machine.ts',
    'core/bundle/validate.ts',
    'core/planner/plan.ts',
    'core/store/types.ts',
    'core/charm/context-types.ts',
    'core/interfaces/etcd.ts',
    'core/controller/unit-runner.ts',
    'core/controller/unit-reconcile.ts',
    'core/controller/registry.ts',
  ])('%s may not import agents/ or the CLI', async (file) => {
    const groups = await restrictedGroups(file);
    expect(groups).toContain('**/agents/**');
    expect(groups.some((g) => g.includes('cli'))).toBe(true);
  });

  it.each(['core/controller/controller.ts', 'core/controller/wiring.ts'])(
    'the composition root %s may import agents/, not the CLI',
    async (file) => {
      const groups = await restrictedGroups(file);
      expect(groups).not.toContain('**/agents/**');
      expect(groups.some((g) => g.includes('cli'))).toBe(true);
    },
  );

  it("the dashboard's browser code may import neither Node, the controller nor agents/", async () => {
    const groups = await restrictedGroups('core/dashboard/ui/main.ts');
    expect(groups).toEqual(expect.arrayContaining(['**/agents/**', 'node:*', '**/controller/**']));
    expect(await restrictedGroups('core/dashboard/bundle-dashboard.ts')).toContain('**/agents/**');
  });

  it('charms may import only the SDK, by package name', async () => {
    const groups = await restrictedGroups('charms/etcd/charm.ts');
    expect(groups).toEqual(expect.arrayContaining(['**/agents/**', '**/core/**', 'rune/testing']));
  });
});
