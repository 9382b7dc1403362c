// The systemd backend of Services (DESIGN §5), pure: a spec rendered as a unit file with every
// value quoted the way systemd parses it, and `systemctl show` output read back as a state.
import { parseKeyValues } from './key-values.js';
import type { NormalizedSpec, ServiceState } from './services.js';

export function unitName(name: string): string {
  return `rune-${name}.service`;
}

export function unitPath(name: string): string {
  return `/etc/systemd/system/${unitName(name)}`;
}

/** What `systemctl show` is asked for; parseSystemdShow reads these. */
export const SHOW_PROPERTIES = [
  'LoadState',
  'ActiveState',
  'SubState',
  'MainPID',
  'NRestarts',
  'ExecMainStatus',
] as const;

/**
 * One word for a unit file, double-quoted. systemd first replaces `%` specifiers on the whole
 * line (so `%` is written `%%`), then splits words honouring quotes and C escapes (so `\` and `"`
 * are escaped and control characters become `\n`, `\xHH`), and in ExecStart= only, expands
 * `$VAR` in each word (so `$` is written `$$`). Environment= does no `$` expansion.
 */
export function systemdQuote(word: string, options: { dollar: boolean }): string {
  let out = '';
  for (const ch of word) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '%') out += '%%';
    else if (ch === '$' && options.dollar) out += '$$';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `"${out}"`;
}

/** A path value (WorkingDirectory=) is taken to the end of the line: only specifiers matter. */
function systemdPath(path: string): string {
  return path.replace(/%/g, '%%');
}

export function renderUnit(spec: NormalizedSpec): string {
  const service = [
    'Type=simple',
    `ExecStart=${spec.command.map((w) => systemdQuote(w, { dollar: true })).join(' ')}`,
    `Restart=${spec.restart}`,
    // The supervisor backend's first backoff step; systemd 252 (Debian 12) has no
    // RestartSteps= to double it, so systemd restarts at a steady pace instead.
    'RestartSec=1',
    // Same grace between TERM and KILL as the supervisor backend.
    'TimeoutStopSec=10',
  ];
  if (spec.user !== undefined) service.push(`User=${spec.user}`);
  if (spec.workingDir !== undefined)
    service.push(`WorkingDirectory=${systemdPath(spec.workingDir)}`);
  for (const [key, value] of spec.env) {
    service.push(`Environment=${systemdQuote(`${key}=${value}`, { dollar: false })}`);
  }
  return [
    `# Written by Rune for service ${spec.name}; rewritten whenever its spec changes.`,
    '[Unit]',
    `Description=Rune service ${spec.name}`,
    'After=network.target',
    // Like the supervisor, keep restarting with backoff rather than give up after 5 tries.
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    ...service,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** `systemctl show --property=...` output (KEY=value lines) as a ServiceState. */
export function parseSystemdShow(name: string, text: string): ServiceState {
  const props = parseKeyValues(text);
  const int = (key: string): number | undefined => props.int(key);
  if (props.get('LoadState') === 'not-found') return { name, state: 'missing' };
  const pid = int('MainPID');
  const restarts = int('NRestarts');
  const base = {
    name,
    ...(pid !== undefined && pid > 0 ? { pid } : {}),
    ...(restarts !== undefined ? { restarts } : {}),
  };
  switch (props.get('ActiveState')) {
    // `activating` covers both starting and waiting out RestartSec= (SubState auto-restart):
    // the service is supervised and on its way up, as the supervisor's backoff is `running`.
    case 'active':
    case 'activating':
    case 'reloading':
      return { ...base, state: 'running' };
    case 'failed': {
      const exitCode = int('ExecMainStatus');
      return { ...base, state: 'failed', ...(exitCode !== undefined ? { exitCode } : {}) };
    }
    default:
      return { ...base, state: 'stopped' };
  }
}
