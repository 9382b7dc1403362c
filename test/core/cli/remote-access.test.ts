// A remote controller with several members, as the CLI meets it over TCP: register tries the
// string's addresses in order and swaps the secret where a member takes changes; later verbs go
// to the active member, a standby answers reads when none is active, and refuses changes.
// Two HTTPS servers on loopback over one store stand in for members (no election here).
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askController } from '../../../core/cli/controller-access.js';
import type { Io } from '../../../core/cli/io.js';
import { listenTcp } from '../../../core/controller/api-tcp.js';
import { ensureApiTls } from '../../../core/controller/api-tls.js';
import { ModelEvents } from '../../../core/controller/model-events.js';
import { encodeRegistration } from '../../../core/controller/registration.js';
import { UserAccess } from '../../../core/controller/user-access.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import { fakeControllerApi } from '../../fakes/fake-controller-api.js';
import { runCli } from './run-cli.js';

const previousHome = process.env.RUNE_HOME;
const io: Io = {
  out: () => undefined,
  err: () => undefined,
  outRaw: () => undefined,
  errRaw: () => undefined,
};
const active = { 0: false, 1: true } as Record<number, boolean>;
const changes: number[] = [];
const servers: Server[] = [];
let store: SqliteStore;
let addresses: string[];
let registration: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rune-members-'));
  const tls = await ensureApiTls(dir, []);
  store = new SqliteStore(join(dir, 'store.db'));
  const access = new UserAccess(store, 'hq');
  addresses = [];
  for (const id of [0, 1]) {
    const api = fakeControllerApi(new ModelEvents(), {
      ping: () => ({
        name: 'hq',
        id: 'abc123',
        version: '0.1.0',
        pid: 1,
        member: { id, active: active[id] ?? false },
      }),
      setModelConfig: () => void changes.push(id),
    });
    const role = () => ({ id, active: active[id] ?? false });
    const { server, port } = await listenTcp(api, {
      host: '127.0.0.1',
      port: 0,
      tls,
      access,
      log: () => undefined,
      role,
    });
    servers.push(server);
    addresses.push(`127.0.0.1:${port}`);
  }
  const added = access.addUser('bob');
  registration = encodeRegistration({
    controller: 'hq',
    id: 'abc123',
    provider: 'sim',
    user: 'bob',
    addresses,
    caFingerprint: tls.caFingerprint,
    secret: added.secret,
    expiresAt: added.expiresAt,
  });
  process.env.RUNE_HOME = mkdtempSync(join(tmpdir(), 'rune-client-'));
}, 60_000);

afterAll(() => {
  servers.forEach((s) => {
    s.close();
    s.closeAllConnections();
  });
  store.close();
  process.env.RUNE_HOME = previousHome;
});

describe('a remote controller with members', () => {
  it('registers past a member standing by, at the active one', async () => {
    const r = await runCli('register', registration);
    expect(r.code, r.err.join('\n')).toBe(0);
  });

  it('sends changes to the active member, whichever address it is', async () => {
    await askController(io, undefined, (c) =>
      c.setModelConfig({ 'update-status-hook-interval': '5m' }),
    );
    expect(changes).toEqual([1]);
    active[0] = true;
    active[1] = false;
    await askController(io, undefined, (c) =>
      c.setModelConfig({ 'update-status-hook-interval': '5m' }),
    );
    expect(changes).toEqual([1, 0]);
  });

  it('reads from a standby when none is active, which refuses changes', async () => {
    active[0] = false;
    const status = await runCli('status');
    expect(status.code, status.err.join('\n')).toBe(0);
    const set = await runCli('model-config', 'update-status-hook-interval=5m');
    expect(set.code).toBe(1);
    expect(set.err.join('\n')).toMatch(/controller member 0 stands by and takes no changes/);
    expect(changes).toEqual([1, 0]);
  });
});
