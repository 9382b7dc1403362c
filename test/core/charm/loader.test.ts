// loadCharm on fixture folders: all three files' problems at once, optional files optional.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CharmLoadError } from '../../../core/charm/errors.js';
import { loadCharm } from '../../../core/charm/loader.js';

const FIXTURES = 'test/fixtures/charms';

function loadError(dir: string): CharmLoadError {
  try {
    loadCharm(dir);
  } catch (e) {
    if (e instanceof CharmLoadError) return e;
    throw e;
  }
  throw new Error(`${dir} loaded`);
}

describe('loadCharm', () => {
  it('loads a charm with only metadata.yaml: no options, no actions', () => {
    const charm = loadCharm(`${FIXTURES}/minimal`);
    expect(charm.meta.name).toBe('minimal');
    expect(charm.config).toEqual({
      options: {},
      schema: { type: 'object', additionalProperties: false, properties: {} },
    });
    expect(charm.actions).toEqual({});
    expect(charm.dir).toBe(resolve(FIXTURES, 'minimal'));
  });

  it('reports every problem of all three files, sorted, as a user error', () => {
    const error = loadError(`${FIXTURES}/broken-everywhere`);
    expect(error.kind).toBe('user');
    expect(error.dir).toBe(resolve(FIXTURES, 'broken-everywhere'));
    const dir = `${FIXTURES}/broken-everywhere`;
    expect(error.message.split('\n')).toEqual([
      `${dir}/actions.yaml:1:1 Backup: invalid action name "Backup": use lowercase letters and hyphens, starting and ending with a letter`,
      `${dir}/config.yaml:3:11 options.port.type: unknown type "integer"; use string, int, float or boolean`,
      `${dir}/metadata.yaml:6:3 requires.db: relation name "db" is already used in provides`,
    ]);
    expect(error.diagnostics).toHaveLength(3);
  });

  it('requires metadata.yaml', () => {
    const error = loadError(`${FIXTURES}/no-metadata`);
    expect(error.message).toBe(
      `${FIXTURES}/no-metadata/metadata.yaml:1:1 not found: a charm folder needs a metadata.yaml`,
    );
  });

  it('names files by absolute path when they lie outside the working folder', () => {
    const error = loadError('/nonexistent-rune-charm');
    expect(error.message).toBe(
      '/nonexistent-rune-charm/metadata.yaml:1:1 not found: a charm folder needs a metadata.yaml',
    );
  });
});
