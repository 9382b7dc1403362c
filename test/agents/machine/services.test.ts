// Services, pure parts: spec and name validation (every issue at once), normalization, the
// supervisor's definition encoding round-tripping awkward argv and env, and its status parser.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ServiceSpecError } from '../../../agents/machine/service-errors.js';
import {
  type ServiceSpec,
  normalizeSpec,
  serviceNameIssues,
  validateServiceSpec,
} from '../../../agents/machine/services.js';
import {
  decodeDefinition,
  encodeDefinition,
  parseSupervisorStatus,
} from '../../../agents/machine/supervisor-script.js';

const AWKWARD = [
  'two words',
  `it's "quoted"`,
  '$HOME and ${PATH} and $(id)',
  '100% %n',
  'back\\slash\\',
  'line\nbreak\n',
  '\ttab',
  '',
  '-starts-with-dash',
  'ünïcødé ✓',
  '`backtick`; rm -rf / #',
];

describe('service names', () => {
  test.each(['etcd', 'kube-apiserver', '0', 'a-1-b'])('accepts %s', (name) => {
    expect(serviceNameIssues(name)).toEqual([]);
  });

  test.each(['', 'Etcd', '-etcd', 'etcd.service', 'a b', 'a/b', '../x', 'a_b', 'x'.repeat(65)])(
    'refuses %j',
    (name) => {
      expect(serviceNameIssues(name)).toHaveLength(1);
    },
  );
});

describe('validateServiceSpec', () => {
  const good: ServiceSpec = { name: 'web', command: ['/usr/bin/web', '--port', '80'] };

  test('a minimal spec has no issues', () => {
    expect(validateServiceSpec(good)).toEqual([]);
  });

  test('reports every issue with its field', () => {
    const issues = validateServiceSpec({
      name: 'Bad Name',
      command: ['a=b', 'ok', 'nul\0'],
      env: { '1X': 'v', GOOD: 'x\0y' },
      user: 'root; rm',
      workingDir: 'relative',
      restart: 'sometimes' as 'no',
    });
    expect(issues.map((i) => i.split(':')[0])).toEqual([
      'name',
      'command[2]',
      'command[0]',
      'env.1X',
      'env.GOOD',
      'user',
      'workingDir',
      'restart',
    ]);
  });

  test('an empty command is refused', () => {
    expect(validateServiceSpec({ name: 'x', command: [] })).toEqual([
      'command: must be a non-empty list of strings (argv)',
    ]);
  });

  test('normalizeSpec throws ServiceSpecError naming the service and its issues', () => {
    expect(() => normalizeSpec({ name: 'x', command: [''] })).toThrow(ServiceSpecError);
    expect(() => normalizeSpec({ name: 'x', command: [''] })).toThrow(
      'invalid service "x": command[0]: must not be empty',
    );
  });

  test('normalizeSpec defaults restart to on-failure and sorts env by name', () => {
    const spec = normalizeSpec({ ...good, env: { b: '2', A: '1', a: '3' } });
    expect(spec.restart).toBe('on-failure');
    expect(spec.env).toEqual([
      ['A', '1'],
      ['a', '3'],
      ['b', '2'],
    ]);
  });
});

describe('supervisor definition encoding', () => {
  test('round-trips awkward argv, env, user and directory', () => {
    const spec = normalizeSpec({
      name: 'awkward',
      command: ['/bin/echo', ...AWKWARD],
      env: Object.fromEntries(AWKWARD.map((v, i) => [`V${i}`, v])),
      user: 'nobody',
      workingDir: '/srv/my dir',
      restart: 'always',
    });
    const decoded = decodeDefinition(encodeDefinition(spec));
    expect(decoded).toEqual({
      restart: 'always',
      user: 'nobody',
      workingDir: '/srv/my dir',
      env: spec.env,
      command: spec.command,
    });
  });

  test('round-trips any argv and env values without NUL', () => {
    const word = fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1 }), fc.array(word), (args, values) => {
        const spec = normalizeSpec({
          name: 'p',
          command: ['/bin/true', ...args],
          env: Object.fromEntries(values.map((v, i) => [`E${i}`, v])),
        });
        const decoded = decodeDefinition(encodeDefinition(spec));
        expect(decoded.command).toEqual(spec.command);
        expect(decoded.env).toEqual(spec.env);
      }),
    );
  });

  test('every value line is one line: base64, or plain printable ASCII the script reads as data', () => {
    const text = encodeDefinition(
      normalizeSpec({
        name: 'x',
        command: ['a b', '$(x)', ' edge', 'l1\nl2', 'é'],
        env: { K: '"; exit', M: 'x\ny' },
        user: 'nobody',
      }),
    );
    const lines = text.trimEnd().split('\n').slice(1);
    for (const line of lines) {
      expect(line).toMatch(
        /^(restart [a-z-]+|(user|workdir|env|arg) [A-Za-z0-9+/]*=*|raw(env|arg) [!-~]([ -~]*[!-~])?)$/,
      );
    }
    // Spaces at an end, newlines and non-ASCII go as base64; the rest as it is.
    expect(lines.filter((l) => l.startsWith('raw'))).toEqual([
      'rawenv K="; exit',
      'rawarg a b',
      'rawarg $(x)',
    ]);
  });

  test('the same spec always encodes the same bytes, whatever the env order', () => {
    const a = encodeDefinition(
      normalizeSpec({ name: 'x', command: ['y'], env: { A: '1', B: '2' } }),
    );
    const b = encodeDefinition(
      normalizeSpec({ name: 'x', command: ['y'], env: { B: '2', A: '1' } }),
    );
    expect(a).toBe(b);
  });
});

describe('parseSupervisorStatus', () => {
  test.each([
    ['installed=0\n', { name: 's', state: 'missing' }],
    ['installed=1\nrestart=on-failure\n', { name: 's', state: 'stopped' }],
    [
      'installed=1\nrestart=on-failure\nsupervisor=10\npid=11\nrestarts=2\nexit=137\n',
      { name: 's', state: 'running', pid: 11, restarts: 2 },
    ],
    // Waiting out a backoff: supervised, no workload pid right now.
    [
      'installed=1\nrestart=always\nsupervisor=10\nrestarts=1\n',
      { name: 's', state: 'running', restarts: 1 },
    ],
    [
      'installed=1\nrestart=no\nrestarts=0\nexit=3\n',
      { name: 's', state: 'failed', restarts: 0, exitCode: 3 },
    ],
    [
      'installed=1\nrestart=no\nrestarts=0\nexit=0\n',
      { name: 's', state: 'stopped', restarts: 0, exitCode: 0 },
    ],
    // on-failure ended by a clean exit: stopped, not failed.
    ['installed=1\nrestart=on-failure\nexit=0\n', { name: 's', state: 'stopped', exitCode: 0 }],
    // A workload that outlived a killed supervisor runs unsupervised.
    ['installed=1\nrestart=always\npid=11\n', { name: 's', state: 'failed', pid: 11 }],
  ])('%j', (text, expected) => {
    expect(parseSupervisorStatus('s', text)).toEqual(expected);
  });
});
