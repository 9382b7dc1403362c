// The etcd command line of a store member: TLS with client certificates on both ports, the whole
// cluster named in --initial-cluster, and the data dir that tells its process apart.
import { describe, expect, it } from 'vitest';
import {
  dataDirArg,
  memberArgs,
  type StoreClusterInfo,
} from '../../../agents/controller-store/cluster-info.js';

const member = (i: number) => ({
  name: `store-${i}`,
  clientUrl: `https://127.0.0.1:${2379 + 10 * i}`,
  peerUrl: `https://127.0.0.1:${2380 + 10 * i}`,
  dataDir: `/s/store-${i}/data`,
  pidFile: `/s/store-${i}/etcd.pid`,
  logFile: `/s/store-${i}/etcd.log`,
  certFile: `/s/store-${i}/member.pem`,
  keyFile: `/s/store-${i}/member-key.pem`,
});
const info: StoreClusterInfo = {
  dir: '/s',
  token: 'rune-store-t',
  endpoints: [0, 1, 2].map((i) => member(i).clientUrl),
  tls: { caFile: '/s/ca.pem', certFile: '/s/client.pem', keyFile: '/s/client-key.pem' },
  members: [0, 1, 2].map(member),
};

describe('memberArgs', () => {
  it.each([0, 1, 2])('member %i demands certificates from the cluster CA on both ports', (i) => {
    const args = memberArgs(info, i);
    expect(args).toEqual(
      expect.arrayContaining([
        `--name=store-${i}`,
        dataDirArg(member(i)),
        `--listen-client-urls=${member(i).clientUrl}`,
        `--listen-peer-urls=${member(i).peerUrl}`,
        '--client-cert-auth',
        '--peer-client-cert-auth',
        '--trusted-ca-file=/s/ca.pem',
        '--peer-trusted-ca-file=/s/ca.pem',
        `--cert-file=/s/store-${i}/member.pem`,
        `--peer-key-file=/s/store-${i}/member-key.pem`,
        '--initial-cluster-token=rune-store-t',
        '--initial-cluster=store-0=https://127.0.0.1:2380,store-1=https://127.0.0.1:2390,' +
          'store-2=https://127.0.0.1:2400',
      ]),
    );
    // Nothing secret on a command line anyone on the host can read: key files only by path.
    expect(args.join(' ')).not.toMatch(/PRIVATE KEY/);
  });

  it('refuses a member the cluster does not have', () => {
    expect(() => memberArgs(info, 3)).toThrow(/no store member 3 in \/s/);
  });
});
