// `rune export-bundle` and `rune diff-bundle` from the CLI against a FAKE controller API (see
// test/fakes/fake-controller-api.ts): where the bundle goes, what is printed, and bad input.
import { mkdtempSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiffBundleRequest, ExportBundleRequest } from '../../../core/controller/api.js';
import { listen } from '../../../core/controller/api-server.js';
import { FileReadError } from '../../../core/controller/errors.js';
import { ModelEvents } from '../../../core/controller/model-events.js';
import { controllerPaths } from '../../../core/controller/paths.js';
import { createController } from '../../../core/controller/controller-creation.js';
import { fakeControllerApi } from '../../fakes/fake-controller-api.js';
import { runCli } from './run-cli.js';

const BUNDLE = 'applications:\n  etcd:\n    charm: etcd\n    num_units: 1\n';
const exports: ExportBundleRequest[] = [];
const diffs: DiffBundleRequest[] = [];
let server: Server;
let dir: string;
const previousHome = process.env.RUNE_HOME;

beforeAll(async () => {
  const home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  dir = mkdtempSync(join(tmpdir(), 'rune-bundles-'));
  process.env.RUNE_HOME = home;
  createController(home, 'test', 'local');
  const api = fakeControllerApi(new ModelEvents(), {
    exportBundle: (request) => {
      exports.push(request);
      return { bundle: BUNDLE, warnings: ['left out etcd option password: it holds a secret'] };
    },
    diffBundle: (request) => {
      diffs.push(request);
      if (request.bundle.endsWith('missing.yaml')) {
        throw new FileReadError(request.bundle, 'no such file');
      }
      return {
        diff: request.bundle.endsWith('same.yaml')
          ? ''
          : 'applications:\n  etcd:\n    missing: model\n',
        warnings: [],
      };
    },
  });
  // The CLI finds its controller's socket under RUNE_HOME.
  server = await listen(api, controllerPaths(home, 'test').socket);
});

afterAll(() => {
  server.close();
  server.closeAllConnections();
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

describe('rune export-bundle', () => {
  it('prints the bundle, with warnings on stderr and absolute charm paths', async () => {
    const r = await runCli('export-bundle');
    expect(r).toMatchObject({ code: 0, out: BUNDLE.trimEnd().split('\n') });
    expect(r.err).toEqual(['warning: left out etcd option password: it holds a secret']);
    expect(exports.at(-1)).toEqual({});
  });

  it('writes --output FILE, asking for charm paths relative to its folder', async () => {
    const file = join(dir, 'sub', '..', 'model.yaml');
    const r = await runCli('export-bundle', '--output', file);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(BUNDLE);
    expect(exports.at(-1)).toEqual({ relativeTo: resolve(dir) });
  });

  it('says in one line why it cannot write FILE, exit 1', async () => {
    const file = join(dir, 'no', 'such', 'model.yaml');
    const r = await runCli('export-bundle', '-o', file);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      'warning: left out etcd option password: it holds a secret',
      `rune: cannot write ${file}: no such folder`,
    ]);
  });

  it('refuses arguments it does not take', async () => {
    expect((await runCli('export-bundle', 'extra')).code).toBe(2);
  });
});

describe('rune diff-bundle', () => {
  it('sends absolute paths and prints the diff, or nothing when they agree', async () => {
    const r = await runCli('diff-bundle', 'other.yaml', '--overlay', 'o.yaml');
    expect(r).toMatchObject({
      code: 0,
      out: ['applications:', '  etcd:', '    missing: model'],
    });
    expect(diffs.at(-1)).toEqual({
      bundle: resolve('other.yaml'),
      overlays: [resolve('o.yaml')],
    });
    expect(await runCli('diff-bundle', 'same.yaml')).toMatchObject({ code: 0, out: [], err: [] });
  });

  it('names a missing file as typed, in one line, exit 1', async () => {
    const r = await runCli('diff-bundle', 'missing.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toEqual(['rune: cannot read missing.yaml: no such file']);
  });

  it('needs a bundle file', async () => {
    expect((await runCli('diff-bundle')).code).toBe(2);
  });
});
