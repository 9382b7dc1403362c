// The shared option checks: what each kind of option accepts and the message that names it.
import { describe, expect, it } from 'vitest';
import {
  appNameProblem,
  choiceProblem,
  configBlockedMessage,
  dnsNameOptionProblem,
  ipListProblem,
  ipv4CidrProblem,
  sanListProblem,
  snapChannelProblem,
  urlProblem,
} from '../../../charms/lib/option-checks.js';

describe('snapChannelProblem', () => {
  it.each(['', 'stable', '1.21', '1.21/stable', 'latest/edge', 'stable/hotfix-1', '1.21/beta/fix'])(
    'accepts %j',
    (channel) => {
      expect(snapChannelProblem('channel', channel)).toBeUndefined();
    },
  );

  it.each(['1.21/', '/stable', '1.21/foo', '1.21/stable/a/b', 'a b', '1.21/foo/bar'])(
    'refuses %j',
    (channel) => {
      expect(snapChannelProblem('channel', channel)).toBe(
        `channel must be a snap channel like 1.21/stable, got ${JSON.stringify(channel)}`,
      );
    },
  );

  it('names the extra words it takes', () => {
    expect(snapChannelProblem('channel', 'auto', ['auto'])).toBeUndefined();
    expect(snapChannelProblem('channel', 'x/y', ['auto'])).toContain('must be auto or a snap');
  });
});

describe('urlProblem', () => {
  it.each(['', 'https://dl.k8s.io/release/v1.21.14/bin/linux/amd64', 'http://10.0.0.1:8000/x'])(
    'accepts %j',
    (url) => {
      expect(urlProblem('release-url', url)).toBeUndefined();
    },
  );

  it.each(['dl.k8s.io/release', 'file:///tmp/x', 'https://a b', 'https://'])(
    'refuses %j',
    (url) => {
      expect(urlProblem('release-url', url)).toContain('release-url must be empty or an http');
    },
  );
});

describe('the other checks', () => {
  it('SANs: names each bad word with why', () => {
    expect(sanListProblem('extra_sans', 'ok.example.com, 10.0.0.1 ::1 *.example.com')).toBe(
      undefined,
    );
    expect(sanListProblem('extra_sans', 'a_b 1.2.3')).toBe(
      'extra_sans must hold DNS names and IP addresses: "a_b" is not a valid hostname: label ' +
        '"a_b" must be letters, digits and inner hyphens (RFC 1123), "1.2.3" is not a valid IPv4 address',
    );
  });

  it('IP lists, DNS names, CIDRs, choices, application names', () => {
    expect(ipListProblem('loadbalancer-ips', '10.0.0.1 2001:db8::2')).toBeUndefined();
    expect(ipListProblem('loadbalancer-ips', '10.0.0.1/24')).toContain('"10.0.0.1/24"');
    expect(dnsNameOptionProblem('dns_domain', '*.example.com')).toContain('dns_domain must be');
    const limits = { minPrefix: 12, maxPrefix: 28, example: '10.0.0.0/24' };
    expect(ipv4CidrProblem('service-cidr', '10.0.0.0/24', limits)).toBeUndefined();
    expect(ipv4CidrProblem('service-cidr', '10.0.0.0/30', limits)).toBe(
      'service-cidr must be a CIDR from /12 to /28, got "10.0.0.0/30"',
    );
    expect(choiceProblem('allow-privileged', ' TRUE ', ['true', 'false'], true)).toBeUndefined();
    expect(choiceProblem('allow-privileged', 'TRUE', ['true', 'false'])).toBe(
      'allow-privileged must be one of true, false, got "TRUE"',
    );
    expect(appNameProblem('default-cni', 'calico-2')).toContain('application name');
    expect(appNameProblem('default-cni', 'canal')).toBeUndefined();
  });

  it('one blocked line for every problem, or nothing', () => {
    expect(configBlockedMessage([])).toBeUndefined();
    expect(configBlockedMessage(['a must be b, got c', 'd must be e, got f'])).toBe(
      'Invalid config: a must be b, got c; d must be e, got f',
    );
  });
});
