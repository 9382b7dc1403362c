// Config install-source, as every charm reads it: auto's order and the message for a bad setting.
import { describe, expect, it } from 'vitest';
import { parseInstallSource } from '../../../charms/lib/install-source.js';

describe('parseInstallSource', () => {
  it('tries the package, a snap, the release archive, then a resource under auto', () => {
    expect(parseInstallSource('auto')).toEqual({
      sources: ['package', 'snap', 'archive', 'resource'],
    });
  });

  it('tries only the source a setting names', () => {
    expect(parseInstallSource('snap')).toEqual({ sources: ['snap'] });
  });

  it('says which settings there are when given another', () => {
    const choices = 'auto, package, snap, archive, resource';
    expect(parseInstallSource('apt')).toEqual({
      problem: `install-source must be one of ${choices}, got "apt"`,
    });
    expect(parseInstallSource(3)).toEqual({
      problem: `install-source must be one of ${choices}, got 3`,
    });
  });
});
