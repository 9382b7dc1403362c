// charms/lib's install sources, shared by the three Kubernetes charms: the release-archive
// command run for real (sh + curl against a local HTTP server: match, mismatch, unreachable,
// tarball), and the parsers of apt's and the fetch script's answers.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aptHasPackage,
  fetchCommand,
  fetchOutcome,
  mismatchMessage,
} from '../../../charms/lib/sources.js';
import { aptPolicy } from '../../fakes/kube-charms.js';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function sh(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const hasCurl = existsSync('/usr/bin/curl') || existsSync('/bin/curl');
const work = mkdtempSync(join(tmpdir(), 'rune-fetch-'));
const binary = Buffer.from('#!/bin/sh\necho fake kube-apiserver\n');
const served = new Map<string, Buffer | string>();
let server: Server;
let base = '';

beforeAll(async () => {
  // A tarball like flannel's release: flanneld beside other files.
  writeFileSync(join(work, 'flanneld'), '#!/bin/sh\necho fake flanneld\n');
  writeFileSync(join(work, 'README.md'), 'readme\n');
  await sh(`cd '${work}' && tar -czf flannel.tar.gz flanneld README.md`);
  const tarball = readFileSync(join(work, 'flannel.tar.gz'));
  served.set('/kube-apiserver', binary);
  served.set('/kube-apiserver.sha256', `${sha256(binary)}  kube-apiserver\n`);
  served.set('/kubectl', binary);
  served.set('/kubectl.sha256', `${'0'.repeat(64)}\n`);
  served.set('/flannel.tar.gz', tarball);
  served.set('/flannel.tar.gz.sha256', `${sha256(tarball)}\n`);
  server = createServer((req, res) => {
    const body = served.get(req.url ?? '');
    res.writeHead(body === undefined ? 404 : 200);
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('the release-archive command, run by sh against a local server', () => {
  it('has curl to run with (test/integration/global-setup.ts installs it)', () => {
    expect(hasCurl).toBe(true);
  });

  it('installs a binary whose sha256 matches, mode 0755, and prints the sha256', async () => {
    const dest = join(work, 'bin', 'kube-apiserver');
    const r = await sh(fetchCommand(`${base}/kube-apiserver`, dest));
    expect(r.code).toBe(0);
    expect(fetchOutcome(r.code, r.stdout, r.stderr)).toEqual({
      kind: 'installed',
      sha256: sha256(binary),
    });
    expect(readFileSync(dest)).toEqual(binary);
    expect(statSync(dest).mode & 0o777).toBe(0o755);
  });

  it('refuses a mismatch with both checksums and installs nothing', async () => {
    const dest = join(work, 'bin', 'kubectl');
    const r = await sh(fetchCommand(`${base}/kubectl`, dest));
    expect(fetchOutcome(r.code, r.stdout, r.stderr)).toEqual({
      kind: 'mismatch',
      published: '0'.repeat(64),
      downloaded: sha256(binary),
    });
    expect(existsSync(dest)).toBe(false);
  });

  it('says unreachable (the next source is tried) when the file is not there', async () => {
    const r = await sh(fetchCommand(`${base}/kube-scheduler`, join(work, 'bin', 'x')));
    const out = fetchOutcome(r.code, r.stdout, r.stderr);
    expect(out.kind).toBe('unreachable');
    expect(out.kind === 'unreachable' && out.detail).toContain('404');
  });

  it('takes the named binary out of a tarball', async () => {
    const dest = join(work, 'bin', 'flanneld');
    const r = await sh(fetchCommand(`${base}/flannel.tar.gz`, dest, 'flanneld'));
    expect(r.code).toBe(0);
    expect(readFileSync(dest, 'utf8')).toContain('fake flanneld');
    const missing = await sh(fetchCommand(`${base}/flannel.tar.gz`, dest, 'flannel-cni'));
    expect(fetchOutcome(missing.code, missing.stdout, missing.stderr)).toEqual({
      kind: 'bad-archive',
      detail: 'the archive holds no flannel-cni',
    });
  });

  it('quotes every input, so a URL with shell characters is data, not code', async () => {
    const r = await sh(fetchCommand(`${base}/x'; touch ${work}/pwned; '`, join(work, 'y')));
    expect(r.code).toBe(2);
    expect(existsSync(join(work, 'pwned'))).toBe(false);
  });
});

describe('parsing what the machine answered', () => {
  it('apt has a package when it has a candidate or it is installed', () => {
    expect(aptHasPackage(aptPolicy('containerd', '1.6.20~ds1-1+deb12u3'))).toBe(true);
    expect(aptHasPackage(aptPolicy('containerd'))).toBe(false);
    expect(aptHasPackage('containerd:\n  Installed: 1.6.20\n  Candidate: (none)\n')).toBe(true);
    expect(aptHasPackage('')).toBe(false);
  });

  it('names the file and both checksums in a mismatch', () => {
    expect(mismatchMessage('kubelet', 'https://x/kubelet', 'aa', 'bb')).toBe(
      'Refusing kubelet from https://x/kubelet: its sha256 is bb but https://x/kubelet.sha256 ' +
        'publishes aa',
    );
    expect(mismatchMessage('kubelet', 'https://x/kubelet', '', 'bb')).toContain(
      'publishes (nothing)',
    );
  });

  it('treats exit codes it does not know as failures to report', () => {
    expect(fetchOutcome(5, '', 'install: cannot create\n')).toEqual({
      kind: 'failed',
      code: 5,
      detail: 'install: cannot create',
    });
  });
});
