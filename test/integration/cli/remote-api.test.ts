// The API over TCP from the CLI (issue 16 item 5): a real sim controller process, and a second
// RUNE_HOME on the same host acting as the remote operator's machine. add-user → register →
// status over TCP+TLS; then each refusal a user can meet, with its message, nothing changed by
// it, and the controller's log free of every token and one-time secret.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureApiTls } from '../../../core/controller/api-tls.js';
import { decodeRegistration, encodeRegistration } from '../../../core/controller/registration.js';
import type { ControllerInfo } from '../../../core/controller/registry.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { runCliAs } from '../../core/cli/run-cli.js';

let serverHome: string;
let clientHome: string;
const secrets: string[] = [];
const servers: Server[] = [];

/** Runs a verb as the controller's own host (its local socket) or as the remote operator. */
const as = runCliAs;

/** add-user on the controller's host: the registration string it printed. */
async function addUser(user: string, ...flags: string[]): Promise<string> {
  const r = await as(serverHome, 'add-user', user, ...flags);
  expect(r.code, r.err.join('\n')).toBe(0);
  const line = r.out.find((l) => l.trim().startsWith('rune register '));
  const text = line?.trim().split(' ')[2] ?? '';
  secrets.push(decodeRegistration(text).secret);
  return text;
}

const clientConfig = () => join(clientHome, 'controllers', 'hq', 'controller.json');
const readClient = () => JSON.parse(readFileSync(clientConfig(), 'utf8')) as ControllerInfo;
const tokenFile = () => join(clientHome, 'controllers', 'hq', 'token');
const controllerLog = () =>
  readFileSync(join(serverHome, 'controllers', 'hq', 'controller.log'), 'utf8');

/** Points the client's registry at `address` for the duration of `fn`. */
async function pointedAt<T>(address: string, fn: () => Promise<T>): Promise<T> {
  const saved = readFileSync(clientConfig(), 'utf8');
  const info = readClient();
  if (!info.remote) throw new Error('not a remote controller');
  writeFileSync(
    clientConfig(),
    JSON.stringify({ ...info, remote: { ...info.remote, addresses: [address] } }),
  );
  try {
    return await fn();
  } finally {
    writeFileSync(clientConfig(), saved);
  }
}

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  serverHome = mkdtempSync(join(tmpdir(), 'rune-server-home-'));
  clientHome = mkdtempSync(join(tmpdir(), 'rune-client-home-'));
  const r = await as(serverHome, 'bootstrap', 'sim', 'hq');
  expect(r.code, r.err.join('\n')).toBe(0);
});

afterAll(async () => {
  for (const s of servers) s.close();
  await as(serverHome, 'destroy-controller', 'hq', '--yes');
});

describe('the API over TCP, from a second RUNE_HOME', () => {
  it('add-user → register → status works over TCP, with the CA pinned and the token 0600', async () => {
    const text = await addUser('bob');
    const r = await as(clientHome, 'register', text);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out[0]).toMatch(/^Registered controller "hq" as user "bob" \(CA [0-9A-F:]+ pinned/);
    const info = readClient();
    expect(info.remote?.addresses).toEqual(decodeRegistration(text).addresses);
    expect(readFileSync(info.remote?.caFile ?? '', 'utf8')).toMatch(/BEGIN CERTIFICATE/);
    const { statSync } = await import('node:fs');
    expect(statSync(tokenFile()).mode & 0o777).toBe(0o600);
    const status = await as(clientHome, 'status', '--format', 'json');
    expect(status.code, status.err.join('\n')).toBe(0);
    const model = (
      JSON.parse(status.out.join('\n')) as { model: { controller: string; cloud: string } }
    ).model;
    expect(model).toMatchObject({ controller: 'hq', cloud: 'sim' });
    const listed = await as(clientHome, 'controllers');
    expect(listed.out.join('\n')).toMatch(/hq\*\s+sim\s+\w+\s+remote: 127\.0\.0\.1:\d+ as bob/);
  });

  it('refuses a second register with the same string, changing nothing', async () => {
    const text = await addUser('carol');
    expect((await as(clientHome, 'register', text, '--name', 'hq-carol')).code).toBe(0);
    const again = await as(clientHome, 'register', text, '--name', 'hq-again');
    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toMatch(
      /registration string not accepted by controller "hq": it was used already/,
    );
    expect(existsSync(join(clientHome, 'controllers', 'hq-again'))).toBe(false);
  });

  it('refuses an expired registration string', async () => {
    const text = await addUser('dave', '--expires', '1ms');
    const { expiresAt } = decodeRegistration(text);
    await waitFor(
      'the string to expire',
      () => (Date.now() > Date.parse(expiresAt) ? true : undefined),
      {
        timeoutMs: 5000,
        intervalMs: 5,
      },
    );
    const r = await as(clientHome, 'register', text, '--name', 'hq-dave');
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(
      new RegExp(
        `registration string for controller "hq" expired at ${expiresAt.replace(/\./g, '\\.')}`,
      ),
    );
    expect(existsSync(join(clientHome, 'controllers', 'hq-dave'))).toBe(false);
  });

  it('refuses a wrong token', async () => {
    const saved = readFileSync(tokenFile(), 'utf8');
    writeFileSync(tokenFile(), 'not-the-token\n');
    try {
      const r = await as(clientHome, 'status', '-c', 'hq');
      expect(r.code).toBe(1);
      expect(r.err.join('\n')).toBe(
        'rune: token not accepted by controller "hq"; rune register again or ask its admin',
      );
    } finally {
      writeFileSync(tokenFile(), saved);
    }
  });

  it('refuses a server whose certificate another CA signed, at register and after, sending it nothing', async () => {
    const other = await ensureApiTls(mkdtempSync(join(tmpdir(), 'rune-mitm-')), []);
    let requests = 0;
    const mitm = createHttpsServer({ cert: other.cert, key: other.key }, (_req, res) => {
      requests++;
      res.end('{}');
    });
    const at = await listening(mitm);
    const status = await pointedAt(at, () => as(clientHome, 'status', '-c', 'hq'));
    expect(status.code).toBe(1);
    expect(status.err.join('\n')).toBe(
      `rune: controller "hq" at ${at}: its certificate is not signed by the CA pinned at ` +
        'register: someone may be in the middle, or the controller was rebuilt; nothing was sent',
    );
    const text = await addUser('erin');
    const forged = encodeRegistration({ ...decodeRegistration(text), addresses: [at] });
    const r = await as(clientHome, 'register', forged, '--name', 'hq-erin');
    expect(r.err.join('\n')).toMatch(
      /its certificate is not signed by the CA whose fingerprint the registration string holds: someone may be in the middle/,
    );
    expect(existsSync(join(clientHome, 'controllers', 'hq-erin'))).toBe(false);
    expect(requests).toBe(0);
  });

  it('says a plain HTTP server, another service and a closed port are not a Rune controller', async () => {
    const http = await listening(createHttpServer((_req, res) => res.end('hello')));
    const plain = await pointedAt(http, () => as(clientHome, 'status', '-c', 'hq'));
    expect(plain.err.join('\n')).toMatch(
      new RegExp(
        `what is at ${http} is not a Rune controller \\(it does not speak TLS\\); nothing changed`,
      ),
    );
    const ssh = await listening(createNetServer((s) => s.end('SSH-2.0-OpenSSH_9.6\r\n')));
    const banner = await pointedAt(ssh, () => as(clientHome, 'status', '-c', 'hq'));
    expect(banner.err.join('\n')).toMatch(new RegExp(`what is at ${ssh} is not a Rune controller`));
    const closed = createNetServer();
    const port = await listening(closed);
    await new Promise((resolve) => closed.close(resolve));
    const refused = await pointedAt(port, () => as(clientHome, 'status', '-c', 'hq'));
    expect(refused.code).toBe(1);
    expect(refused.err.join('\n')).toMatch(
      new RegExp(
        `what is at ${port} is not a Rune controller \\(nothing listens there: connection refused`,
      ),
    );
  });

  it('refuses a verb that hands the controller paths on this host', async () => {
    // The current controller is the last registered: remote too.
    const r = await as(clientHome, 'deploy', 'bundles/etcd.yaml');
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(
      /controller "hq-carol" is remote .*: run it there .*nothing was sent/,
    );
    // Nor do the verbs that act on the controller's own files and processes run from here.
    const ha = await as(clientHome, 'enable-ha', '-c', 'hq-carol');
    expect(ha.err.join('\n')).toMatch(/rune enable-ha runs on controller "hq-carol"'s own host/);
    const destroy = await as(clientHome, 'destroy-controller', 'hq-carol', '--yes');
    expect(destroy.err.join('\n')).toMatch(
      /controller "hq-carol" is remote .*: destroy it on its own host/,
    );
    expect((await as(clientHome, 'status', '-c', 'hq-carol')).code).toBe(0);
  });

  it('logout revokes the token and deletes it; the next request says so', async () => {
    const token = readFileSync(tokenFile(), 'utf8').trim();
    secrets.push(
      token,
      readFileSync(join(clientHome, 'controllers', 'hq-carol', 'token'), 'utf8').trim(),
    );
    const r = await as(clientHome, 'logout', '-c', 'hq');
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out[0]).toBe('Logged out of controller "hq": its token is revoked.');
    expect(existsSync(tokenFile())).toBe(false);
    const after = await as(clientHome, 'status', '-c', 'hq');
    expect(after.err.join('\n')).toMatch(/you are logged out of controller "hq"/);
    // The token itself, sent again, is refused by the controller too.
    const { ApiClient } = await import('../../../core/controller/api-client.js');
    const info = readClient();
    const ca = readFileSync(info.remote?.caFile ?? '', 'utf8');
    const e = await new ApiClient('hq', '', { addresses: info.remote?.addresses ?? [], ca, token })
      .status()
      .catch((err: unknown) => err);
    expect((e as Error).message).toMatch(/token not accepted by controller "hq"/);
  });

  it("never writes a token or a one-time secret to the controller's log", () => {
    const log = controllerLog();
    expect(log).toMatch(/user "bob" registered from 127\.0\.0\.1/);
    expect(log).toMatch(/refused GET \/v1\/status from 127\.0\.0\.1:\d+: token not accepted/);
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    for (const s of secrets) expect(log).not.toContain(s);
  });
});
