// A highly available controller over TCP (issue 16 item 5 with items 3, 4): each member serves
// the API on a port of its own, add-user's string lists them all, and a remote client follows
// the active member — through a SIGKILL of it, reads and then changes go to the next one. Sim
// machines: no root for machines, but the store's etcd cluster runs for real.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../core/controller/api-client.js';
import { allMemberPaths } from '../../../core/controller/member-paths.js';
import { controllerPaths } from '../../../core/controller/paths.js';
import { decodeRegistration } from '../../../core/controller/registration.js';
import { readController } from '../../../core/controller/registry.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { runCliAs } from '../../core/cli/run-cli.js';

let serverHome: string;
let clientHome: string;

/** Runs a verb as the controller's own host (its local socket) or as the remote operator. */
const as = runCliAs;

/** The active member as the controller's host sees it (over each member's socket). */
async function activeMember(): Promise<{ id: number; pid: number }> {
  const info = readController(serverHome, 'hq');
  if (!info.ha) throw new Error('not highly available');
  const pings = await Promise.all(
    allMemberPaths(controllerPaths(serverHome, 'hq'), info.ha).map((p) =>
      new ApiClient('hq', p.socket).ping(1000).catch(() => undefined),
    ),
  );
  const found = pings.find((p) => p?.member?.active);
  if (!found?.member) throw new Error('no member is active');
  return { id: found.member.id, pid: found.pid };
}

beforeAll(async () => {
  serverHome = mkdtempSync(join(tmpdir(), 'rune-server-home-'));
  clientHome = mkdtempSync(join(tmpdir(), 'rune-client-home-'));
  const boot = await as(serverHome, 'bootstrap', 'sim', 'hq');
  expect(boot.code, boot.err.join('\n')).toBe(0);
  const ha = await as(serverHome, 'enable-ha', '-c', 'hq');
  expect(ha.code, ha.err.join('\n')).toBe(0);
}, 240_000);

afterAll(async () => {
  await as(serverHome, 'destroy-controller', 'hq', '--yes');
}, 120_000);

describe('a highly available controller over TCP', () => {
  it("lists every member's address in add-user's string; register and status work", async () => {
    await waitFor('an active member', () => activeMember(), { timeoutMs: 30_000, intervalMs: 200 });
    const added = await as(serverHome, 'add-user', 'bob');
    expect(added.code, added.err.join('\n')).toBe(0);
    const text =
      added.out
        .find((l) => l.includes('rune register '))
        ?.trim()
        .split(' ')[2] ?? '';
    const { addresses } = decodeRegistration(text);
    expect(addresses).toHaveLength(3);
    expect(new Set(addresses).size).toBe(3);
    const registered = await as(clientHome, 'register', text);
    expect(registered.code, registered.err.join('\n')).toBe(0);
    const status = await as(clientHome, 'status');
    expect(status.code, status.err.join('\n')).toBe(0);
  }, 60_000);

  it('follows the next active member after a SIGKILL of the active one', async () => {
    const killed = await activeMember();
    process.kill(killed.pid, 'SIGKILL');
    // Reads answer throughout (a standby answers them); changes once another member is active.
    const read = await as(clientHome, 'status');
    expect(read.code, read.err.join('\n')).toBe(0);
    await waitFor(
      'a change to reach the next active member over TCP',
      async () => {
        const set = await as(clientHome, 'model-config', 'update-status-hook-interval=7m');
        if (set.code !== 0) throw new Error(set.err.join('\n'));
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const next = await activeMember();
    console.log(
      `member ${next.id} took over from member ${killed.id}; the CLI followed it over TCP`,
    );
    expect(next.pid).not.toBe(killed.pid);
    const config = await as(clientHome, 'model-config');
    expect(config.out.join('\n')).toMatch(/update-status-hook-interval:\s+value: 7m/);
  }, 60_000);
});
