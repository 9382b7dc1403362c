// The systemd backend without systemd (this host has none): unit rendering checked against a
// small model of how systemd reads ExecStart= and Environment= (specifiers, quotes, C escapes,
// `$$`), `systemctl show` parsing, and which commands the backend sends to a recording fake.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ServiceError } from '../../../agents/machine/service-errors.js';
import { normalizeSpec, services } from '../../../agents/machine/services.js';
import {
  parseSystemdShow,
  renderUnit,
  systemdQuote,
} from '../../../agents/machine/systemd-unit.js';
import type {
  CommandResult,
  FileWrite,
  MachineFacts,
  RemoteMachine,
} from '../../../core/model/machine.js';

/**
 * How systemd turns a unit-file value into words, for the values Rune writes: `%%` specifiers
 * first on the whole line, then words split on whitespace honouring double quotes and C escapes,
 * then (ExecStart= only) `$$` to `$`. Any other specifier or a `$VAR` is an error here, since
 * Rune must never emit one. Not modelled: single quotes, line continuations, prefixes like `-`.
 */
function systemdWords(value: string, options: { dollar: boolean }): string[] {
  const line = value.replace(/%(.)/gsu, (_m, c: string) => {
    if (c !== '%') throw new Error(`unexpected specifier %${c}`);
    return '%';
  });
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') {
      i++;
      continue;
    }
    if (line[i] !== '"') throw new Error(`unquoted word at ${i}: ${line.slice(i)}`);
    i++;
    let word = '';
    for (;;) {
      const c = line[i++];
      if (c === undefined) throw new Error('unterminated quote');
      if (c === '"') break;
      if (c !== '\\') {
        word += c;
        continue;
      }
      const e = line[i++];
      if (e === 'n') word += '\n';
      else if (e === 't') word += '\t';
      else if (e === '\\' || e === '"') word += e;
      else if (e === 'x') {
        word += String.fromCharCode(Number.parseInt(line.slice(i, i + 2), 16));
        i += 2;
      } else throw new Error(`unexpected escape \\${String(e)}`);
    }
    if (options.dollar) {
      word = word.replace(/\$(.?)/gsu, (_m, c: string) => {
        if (c !== '$') throw new Error(`unexpected variable $${c}`);
        return '$';
      });
    }
    words.push(word);
  }
  return words;
}

function unitValue(unit: string, key: string): string[] {
  return unit
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));
}

describe('systemdQuote', () => {
  test.each([
    ['plain', '"plain"', '"plain"'],
    ['two words', '"two words"', '"two words"'],
    [`it's "q"`, `"it's \\"q\\""`, `"it's \\"q\\""`],
    ['$HOME ${X}', '"$$HOME $${X}"', '"$HOME ${X}"'],
    ['100%', '"100%%"', '"100%%"'],
    ['a\\b\\', '"a\\\\b\\\\"', '"a\\\\b\\\\"'],
    ['l1\nl2\t\x01', '"l1\\nl2\\t\\x01"', '"l1\\nl2\\t\\x01"'],
    ['', '""', '""'],
  ])('%j', (word, inExecStart, inEnvironment) => {
    expect(systemdQuote(word, { dollar: true })).toBe(inExecStart);
    expect(systemdQuote(word, { dollar: false })).toBe(inEnvironment);
  });

  test('any word without NUL reads back intact, in ExecStart= and in Environment=', () => {
    const word = fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1 }), (words) => {
        for (const dollar of [true, false]) {
          const line = words.map((w) => systemdQuote(w, { dollar })).join(' ');
          expect(systemdWords(line, { dollar })).toEqual(words);
        }
      }),
    );
  });
});

describe('renderUnit', () => {
  const spec = normalizeSpec({
    name: 'web',
    command: ['/usr/bin/web', '--greeting', `hello "world" it's $USER at 100%`, 'C:\\dir'],
    env: { Z_LAST: 'z', GREETING: 'a b "c" $d %e \\f' },
    user: 'www-data',
    workingDir: '/srv/web 50%',
    restart: 'always',
  });
  const unit = renderUnit(spec);

  test('ExecStart= reads back as the argv', () => {
    const [execStart] = unitValue(unit, 'ExecStart');
    expect(systemdWords(execStart ?? '', { dollar: true })).toEqual(spec.command);
  });

  test('Environment= lines read back as the env, sorted by name', () => {
    const env = unitValue(unit, 'Environment').map((v) => systemdWords(v, { dollar: false }));
    expect(env).toEqual([['GREETING=a b "c" $d %e \\f'], ['Z_LAST=z']]);
  });

  test('policy, user and directory', () => {
    expect(unitValue(unit, 'Restart')).toEqual(['always']);
    expect(unitValue(unit, 'User')).toEqual(['www-data']);
    expect(unitValue(unit, 'WorkingDirectory')).toEqual(['/srv/web 50%%']);
    expect(unitValue(unit, 'StartLimitIntervalSec')).toEqual(['0']);
  });

  test('optional settings are left out when unset', () => {
    const minimal = renderUnit(normalizeSpec({ name: 'm', command: ['/bin/true'] }));
    expect(minimal).not.toMatch(/^(User|WorkingDirectory|Environment)=/m);
    expect(unitValue(minimal, 'Restart')).toEqual(['on-failure']);
  });

  test('the same spec renders the same bytes whatever the env order', () => {
    const other = normalizeSpec({ ...spec, env: { GREETING: 'a b "c" $d %e \\f', Z_LAST: 'z' } });
    expect(renderUnit(other)).toBe(unit);
  });
});

describe('parseSystemdShow', () => {
  const show = (props: Record<string, string>) =>
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');

  test.each([
    [
      { LoadState: 'not-found', ActiveState: 'inactive' },
      { name: 's', state: 'missing' },
    ],
    [
      {
        LoadState: 'loaded',
        ActiveState: 'active',
        SubState: 'running',
        MainPID: '42',
        NRestarts: '1',
      },
      { name: 's', state: 'running', pid: 42, restarts: 1 },
    ],
    [
      {
        LoadState: 'loaded',
        ActiveState: 'activating',
        SubState: 'auto-restart',
        MainPID: '0',
        NRestarts: '3',
      },
      { name: 's', state: 'running', restarts: 3 },
    ],
    [
      { LoadState: 'loaded', ActiveState: 'inactive', MainPID: '0', NRestarts: '0' },
      { name: 's', state: 'stopped', restarts: 0 },
    ],
    [
      {
        LoadState: 'loaded',
        ActiveState: 'failed',
        MainPID: '0',
        NRestarts: '0',
        ExecMainStatus: '3',
      },
      { name: 's', state: 'failed', restarts: 0, exitCode: 3 },
    ],
  ])('%j', (props, expected) => {
    expect(parseSystemdShow('s', show(props))).toEqual(expected);
  });
});

/**
 * A RemoteMachine that records commands and keeps written files in a map. It does not model
 * systemd, a shell, or any command's effect: `run` answers `cat` from the map and everything
 * else from `answers` (first matching prefix), exit 0 by default.
 */
class RecordingMachine implements RemoteMachine {
  readonly commands: string[] = [];
  readonly files = new Map<string, string>();
  constructor(private readonly answers: [string, Partial<CommandResult>][] = []) {}

  run(command: string): Promise<CommandResult> {
    this.commands.push(command);
    const cat = /^cat -- '([^']+)'/.exec(command);
    if (cat) {
      const content = this.files.get(cat[1] ?? '');
      return Promise.resolve(result(content === undefined ? 1 : 0, content ?? ''));
    }
    const answer = this.answers.find(([prefix]) => command.startsWith(prefix))?.[1];
    return Promise.resolve({ ...result(0, ''), ...answer });
  }
  stream(): Promise<number> {
    return Promise.reject(new Error('not modelled'));
  }
  writeFile(path: string, data: Buffer | string): Promise<void> {
    this.commands.push(`<write ${path}>`);
    this.files.set(path, data.toString());
    return Promise.resolve();
  }
  writeFiles(files: readonly FileWrite[]): Promise<boolean[]> {
    return Promise.resolve(
      files.map(({ path, data, onlyIfChanged }) => {
        if (onlyIfChanged === true && this.files.get(path) === data.toString()) return false;
        this.commands.push(`<write ${path}>`);
        this.files.set(path, data.toString());
        return true;
      }),
    );
  }
  readFile(): Promise<Buffer> {
    return Promise.reject(new Error('not modelled'));
  }
  facts(): Promise<MachineFacts> {
    return Promise.resolve(FACTS);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function result(code: number, stdout: string, stderr = ''): CommandResult {
  return { code, stdout: Buffer.from(stdout), stderr: Buffer.from(stderr) };
}

const FACTS: MachineFacts = {
  os: 'debian',
  osVersion: '12',
  arch: 'amd64',
  cores: 2,
  memoryBytes: 1 << 30,
  rootDiskBytes: 1 << 34,
  addresses: ['10.0.0.2'],
  hostname: 'node-1',
  systemd: true,
  snapd: false,
};

describe('systemd backend commands (recording fake, no systemd)', () => {
  test('install writes the unit and reloads only when it changed', async () => {
    const machine = new RecordingMachine();
    const svc = services(machine, FACTS);
    expect(svc.backend).toBe('systemd');
    const spec = { name: 'web', command: ['/usr/bin/web'] };
    expect(await svc.install(spec)).toBe(true);
    expect(await svc.install(spec)).toBe(false);
    expect(await svc.install({ ...spec, restart: 'always' as const })).toBe(true);
    expect(machine.commands.filter((c) => !c.startsWith('cat '))).toEqual([
      '<write /etc/systemd/system/rune-web.service>',
      'systemctl daemon-reload',
      '<write /etc/systemd/system/rune-web.service>',
      'systemctl daemon-reload',
    ]);
  });

  test('actions map to systemctl and journalctl on the rune- unit', async () => {
    const machine = new RecordingMachine([
      [
        'systemctl show',
        { stdout: Buffer.from('LoadState=loaded\nActiveState=active\nMainPID=7\n') },
      ],
    ]);
    const svc = services(machine, FACTS);
    await svc.start('web');
    await svc.stop('web');
    await svc.restart('web');
    expect(await svc.status('web')).toEqual({ name: 'web', state: 'running', pid: 7 });
    await svc.logs('web', 50);
    expect(machine.commands).toEqual([
      'systemctl start rune-web.service',
      'systemctl stop rune-web.service',
      'systemctl restart rune-web.service',
      'systemctl show --property=LoadState,ActiveState,SubState,MainPID,NRestarts,ExecMainStatus rune-web.service',
      'journalctl -u rune-web.service -n 50 --no-pager -o cat',
    ]);
  });

  test('a failing systemctl becomes a ServiceError with the machine, action and stderr tail', async () => {
    const machine = new RecordingMachine([
      [
        'systemctl start',
        {
          code: 5,
          stderr: Buffer.from(
            'Failed to start rune-web.service: Unit rune-web.service not found.\n',
          ),
        },
      ],
    ]);
    const err = await services(machine, FACTS)
      .start('web')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).message).toBe(
      'cannot start service web on machine node-1: exit code 5: ' +
        'Failed to start rune-web.service: Unit rune-web.service not found.',
    );
  });

  test('names are validated before anything runs', async () => {
    const machine = new RecordingMachine();
    await expect(services(machine, FACTS).start('web; reboot')).rejects.toThrow('invalid service');
    expect(machine.commands).toEqual([]);
  });
});
