// `ssh:[user@]host[:port]` as add-machine takes it (Juju's manual provider syntax). Pure, and part of
// the machine contract: the controller checks a target before any agent dials it.
// IPv6 hosts are written in brackets, `ssh:root@[fd00::5]:2222`, as OpenSSH's URIs do.

export interface ParsedSshTarget {
  user: string;
  host: string;
  port: number;
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const USER = /^[a-z_][a-z0-9_.-]{0,31}$/;

/** The target, or the reason it cannot be one (worded to follow `invalid target "...": `). */
export function parseSshTarget(text: string): ParsedSshTarget | { error: string } {
  if (!text.startsWith('ssh:')) return { error: 'expected ssh:[user@]host[:port]' };
  let rest = text.slice('ssh:'.length);
  let user = 'root';
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!USER.test(user)) return { error: `"${user}" is not a valid user name` };
  }
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return { error: 'an IPv6 address needs its closing "]"' };
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return { error: `unexpected "${after}" after "]"` };
    portText = after === '' ? undefined : after.slice(1);
    if (!/^[0-9a-fA-F:.]+$/.test(host) || !host.includes(':')) {
      return { error: `"${host}" is not an IPv6 address` };
    }
  } else {
    const parts = rest.split(':');
    if (parts.length > 2) return { error: 'write an IPv6 address in brackets: ssh:[fd00::5]' };
    host = parts[0] ?? '';
    portText = parts[1];
    if (host === '') return { error: 'the host is missing' };
    if (!IPV4.test(host) && (/^[0-9.]+$/.test(host) || !HOSTNAME.test(host))) {
      return { error: `"${host}" is not a host name or IPv4 address` };
    }
  }
  let port = 22;
  if (portText !== undefined) {
    if (!/^[1-9][0-9]{0,4}$/.test(portText) || Number(portText) > 65535) {
      return { error: `port "${portText}" must be a number from 1 to 65535` };
    }
    port = Number(portText);
  }
  return { user, host, port };
}
