// chooseInstallSource: auto's order (package, snap, archive, resource), explicit sources, and the
// blocked message that says what to attach.
import { describe, expect, it } from 'vitest';
import {
  type InstallFacts,
  chooseInstallSource,
  snapChannel,
} from '../../../charms/etcd/workload/install-source.js';

const none: InstallFacts = {
  aptHasEtcd: false,
  snapd: false,
  archiveReachable: false,
  resourceAttached: false,
};
const all: InstallFacts = {
  aptHasEtcd: true,
  snapd: true,
  archiveReachable: true,
  resourceAttached: true,
};

describe('chooseInstallSource', () => {
  it.each([
    [all, 'package'],
    [{ ...all, aptHasEtcd: false }, 'snap'],
    [{ ...none, archiveReachable: true, resourceAttached: true }, 'archive'],
    [{ ...none, resourceAttached: true }, 'resource'],
  ] as const)('auto with %j picks %s', (facts, source) => {
    expect(chooseInstallSource('auto', facts, 'etcd')).toEqual({ kind: 'install', source });
  });

  it('blocks with the attach-resource command when nothing is available (offline hosts)', () => {
    expect(chooseInstallSource('auto', none, 'etcd')).toEqual({
      kind: 'blocked',
      message:
        'Missing etcd resource: rune attach-resource etcd etcd=./etcd-v3.4.23-linux-amd64.tar.gz',
    });
    const other = chooseInstallSource('auto', none, 'etcd2');
    expect(other.kind === 'blocked' && other.message).toContain('rune attach-resource etcd2 etcd=');
  });

  it('uses an explicit source even when auto would pick another', () => {
    expect(chooseInstallSource('resource', all, 'etcd')).toEqual({
      kind: 'install',
      source: 'resource',
    });
  });

  it('blocks an explicit source that is not available, saying why and what to do', () => {
    expect(chooseInstallSource('snap', none, 'etcd')).toEqual({
      kind: 'blocked',
      message:
        'install-source=snap but snapd is not installed: rune config etcd install-source=auto',
    });
    expect(chooseInstallSource('resource', none, 'etcd')).toEqual({
      kind: 'blocked',
      message:
        'install-source=resource but no etcd resource is attached: ' +
        'rune attach-resource etcd etcd=./etcd-v3.4.23-linux-amd64.tar.gz',
    });
  });

  it('blocks a value config.yaml does not list', () => {
    expect(chooseInstallSource('apt', all, 'etcd')).toEqual({
      kind: 'blocked',
      message: 'install-source must be one of auto, package, snap, archive, resource, got "apt"',
    });
  });
});

describe('snapChannel', () => {
  it('maps auto (and empty) to the tested channel and keeps an explicit one', () => {
    expect(snapChannel('auto')).toBe('3.4/stable');
    expect(snapChannel('')).toBe('3.4/stable');
    expect(snapChannel('3.5/edge')).toBe('3.5/edge');
  });
});
