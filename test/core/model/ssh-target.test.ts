// add-machine's `ssh:[user@]host[:port]` targets: what is accepted, and the reason for the rest.
import { describe, expect, it } from 'vitest';
import { parseSshTarget } from '../../../core/model/ssh-target.js';

describe('parseSshTarget', () => {
  it.each([
    ['ssh:10.0.0.5', { user: 'root', host: '10.0.0.5', port: 22 }],
    ['ssh:ubuntu@10.0.0.5', { user: 'ubuntu', host: '10.0.0.5', port: 22 }],
    ['ssh:ubuntu@db-1.example.com:2222', { user: 'ubuntu', host: 'db-1.example.com', port: 2222 }],
    ['ssh:root@[fd00::5]:2200', { user: 'root', host: 'fd00::5', port: 2200 }],
    ['ssh:[::1]', { user: 'root', host: '::1', port: 22 }],
  ])('accepts %s', (text, want) => {
    expect(parseSshTarget(text)).toEqual(want);
  });

  it.each([
    ['10.0.0.5', 'expected ssh:[user@]host[:port]'],
    ['ssh:', 'the host is missing'],
    ['ssh:root@', 'the host is missing'],
    ['ssh:Root Admin@h', '"Root Admin" is not a valid user name'],
    ['ssh:10.0.0.256', '"10.0.0.256" is not a host name or IPv4 address'],
    ['ssh:bad_host!', '"bad_host!" is not a host name or IPv4 address'],
    ['ssh:h:0', 'port "0" must be a number from 1 to 65535'],
    ['ssh:h:70000', 'port "70000" must be a number from 1 to 65535'],
    ['ssh:h:22x', 'port "22x" must be a number from 1 to 65535'],
    ['ssh:fd00::5', 'write an IPv6 address in brackets: ssh:[fd00::5]'],
    ['ssh:[fd00::5', 'an IPv6 address needs its closing "]"'],
    ['ssh:[fd00::5]x', 'unexpected "x" after "]"'],
  ])('refuses %s', (text, error) => {
    expect(parseSshTarget(text)).toEqual({ error });
  });
});
