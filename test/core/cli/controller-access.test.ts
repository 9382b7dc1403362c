// How the CLI meets a controller that does not answer (issue 15 item 7): one that holds its
// store but is silent is reported (exit 3, its pid and what to do), never doubled; one still
// binding its socket is waited for. Here the store's lock is held by this test process, the
// controller's socket by a server that accepts and never answers (as a SIGSTOPped one does).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reach } from '../../../core/cli/controller-access.js';
import { ControllerUnresponsiveError } from '../../../core/cli/errors.js';
import type { Io } from '../../../core/cli/io.js';
import { ApiClient } from '../../../core/controller/api-client.js';
import { listen } from '../../../core/controller/api-server.js';
import { ModelEvents } from '../../../core/controller/model-events.js';
import { controllerPaths, type ControllerPaths } from '../../../core/controller/paths.js';
import { createController } from '../../../core/controller/controller-creation.js';
import { acquireStoreLock, type StoreLock } from '../../../core/controller/store-lock.js';
import { fakeControllerApi } from '../../fakes/fake-controller-api.js';
import { runCli } from './run-cli.js';

const previousHome = process.env.RUNE_HOME;
let paths: ControllerPaths;
let home = '';
let lock: StoreLock | undefined;
const servers: Server[] = [];
const held: Socket[] = [];

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rune-access-'));
  process.env.RUNE_HOME = home;
  createController(home, 'lab', 'manual');
  paths = controllerPaths(home, 'lab');
});

afterEach(() => {
  held.splice(0).forEach((s) => s.destroy());
  servers.splice(0).forEach((s) => s.close());
  lock?.release();
  lock = undefined;
  rmSync(home, { recursive: true, force: true });
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

/** The store held by this process, as a controller's would be, and its pid recorded. */
function holdStore(): void {
  lock = acquireStoreLock('lab', paths.lock);
  writeFileSync(paths.pid, `${process.pid}\n`);
}

async function silentSocket(): Promise<void> {
  const server = createServer((socket) => held.push(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(paths.socket, resolve));
}

function capture() {
  const err: string[] = [];
  const io: Io = {
    out: () => undefined,
    err: (line) => err.push(line),
    outRaw: () => undefined,
    errRaw: () => undefined,
  };
  return { io, err };
}

describe('reach', () => {
  it('reports a controller that holds its store but does not answer, and starts none', async () => {
    holdStore();
    await silentSocket();
    const { io, err } = capture();
    const started = Date.now();
    const error = await reach(io, new ApiClient('lab', paths.socket), 400).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(ControllerUnresponsiveError);
    expect(error).toMatchObject({ pid: process.pid, stopped: false });
    expect(err).toEqual([]);
  });

  it('waits for one that holds its store and binds its socket a moment later', async () => {
    holdStore();
    const { io, err } = capture();
    setTimeout(() => {
      void listen(fakeControllerApi(new ModelEvents()), paths.socket).then((s) => servers.push(s));
    }, 300);
    await reach(io, new ApiClient('lab', paths.socket), 5000);
    expect(err).toEqual([]);
  });
});

describe('a verb meeting a silent controller', () => {
  it('exits 3 saying which pid does not answer and what to do', async () => {
    holdStore();
    await silentSocket();
    const r = await runCli('status');
    expect(r.code).toBe(3);
    expect(r.err).toEqual([
      `rune: controller "lab" (pid ${process.pid}) is running but did not answer within 5 s; ` +
        'it may be busy or starting: wait and try again, or if it hangs, end it with ' +
        `kill ${process.pid} (kill -9 ${process.pid} if it stays) and run the command again ` +
        'to start a new one',
    ]);
  });
});
