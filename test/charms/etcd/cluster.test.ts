// cluster.ts: members parsed from real etcdctl 3.4.23 output (ids above 2^53 kept exact), the
// connection string, initial-cluster strings and stale-member detection.
import { describe, expect, it } from 'vitest';
import {
  connectionString,
  httpsUrl,
  initialCluster,
  initialClusterAfterAdd,
  isStarted,
  parseEndpointHealth,
  parseInitialCluster,
  parseMemberAdd,
  parseMemberList,
  staleMembers,
} from '../../../charms/etcd/workload/cluster.js';
import { EtcdctlOutputError } from '../../../charms/etcd/workload/errors.js';

// Captured from etcdctl 3.4.23 (`member list -w json`) after `member add b` on a 1-member cluster.
const LIST_WITH_UNSTARTED =
  '{"header":{"cluster_id":5298435163934787985,"member_id":8645782499530242234,"raft_term":2},' +
  '"members":[{"ID":8645782499530242234,"name":"a","peerURLs":["http://127.0.0.1:23801"],' +
  '"clientURLs":["http://127.0.0.1:23791"]},' +
  '{"ID":16729125191918758855,"peerURLs":["http://127.0.0.1:23802"]}]}\n';

// Captured from `member add b --peer-urls=http://127.0.0.1:23802 -w json`.
const ADD =
  '{"header":{"cluster_id":5298435163934787985,"member_id":8645782499530242234,"raft_term":2},' +
  '"member":{"ID":2327529398411615971,"peerURLs":["http://127.0.0.1:23802"]},' +
  '"members":[{"ID":2327529398411615971,"peerURLs":["http://127.0.0.1:23802"]},' +
  '{"ID":8645782499530242234,"name":"a","peerURLs":["http://127.0.0.1:23801"],' +
  '"clientURLs":["http://127.0.0.1:23791"]}]}\n';

describe('parseMemberList', () => {
  it('keeps uint64 member ids exact, with the hex form member remove wants', () => {
    const members = parseMemberList(LIST_WITH_UNSTARTED);
    expect(members.map((m) => m.id)).toEqual([8645782499530242234n, 16729125191918758855n]);
    // etcdctl's simple output shows these very ids in hex.
    expect(members.map((m) => m.idHex)).toEqual(['77fbfd6041c9f8ba', 'e829caba335b2bc7']);
    // What plain JSON.parse would have produced: another member's id.
    expect(BigInt(Number('16729125191918758855'))).not.toBe(16729125191918758855n);
  });

  it('reads a member that has not started: no name, no client URLs', () => {
    const [started, unstarted] = parseMemberList(LIST_WITH_UNSTARTED);
    expect(started).toMatchObject({ name: 'a', clientUrls: ['http://127.0.0.1:23791'] });
    expect(unstarted).toMatchObject({
      name: '',
      clientUrls: [],
      peerUrls: ['http://127.0.0.1:23802'],
    });
    expect([started, unstarted].map((m) => m && isStarted(m))).toEqual([true, false]);
  });

  it('reads learners and sorts by id', () => {
    const text =
      '{"members":[{"ID":9,"name":"z","peerURLs":["p9"],"isLearner":true},' +
      '{"ID":3,"name":"y","peerURLs":["p3"]}]}';
    const members = parseMemberList(text);
    expect(members.map((m) => [m.id, m.isLearner])).toEqual([
      [3n, false],
      [9n, true],
    ]);
  });

  it('leaves text inside strings alone, even when it looks like an id field', () => {
    const text = '{"members":[{"ID":1,"name":"n\\"ID\\":123456789012345678901","peerURLs":[]}]}';
    expect(parseMemberList(text)[0]?.name).toBe('n"ID":123456789012345678901');
  });

  it('says which operation and what was wrong when the output is not what 3.4 prints', () => {
    expect(() => parseMemberList('Error: context deadline exceeded')).toThrow(
      /etcdctl member list: not JSON; got "Error: context deadline exceeded"/,
    );
    expect(() => parseMemberList('{"members":[{"ID":-1}]}')).toThrow(EtcdctlOutputError);
    expect(() => parseMemberList('{"header":{}}')).toThrow(/members is not a list/);
  });
});

describe('parseMemberAdd and initialClusterAfterAdd', () => {
  it('finds the added member and builds the initial cluster etcdctl itself prints', () => {
    const result = parseMemberAdd(ADD);
    expect(result.added).toMatchObject({ id: 2327529398411615971n, name: '' });
    expect(result.members).toHaveLength(2);
    // etcdctl's own output for the same add: ETCD_INITIAL_CLUSTER="a=...:23801,b=...:23802"
    expect(initialClusterAfterAdd(result, 'b')).toBe(
      'a=http://127.0.0.1:23801,b=http://127.0.0.1:23802',
    );
  });
});

describe('parseEndpointHealth', () => {
  it('reads healthy and unhealthy endpoints, sorted, with the error', () => {
    const text =
      '[{"endpoint":"https://10.0.0.6:2379","health":false,"took":"5.0s",' +
      '"error":"context deadline exceeded"},' +
      '{"endpoint":"https://10.0.0.5:2379","health":true,"took":"1.59206ms"}]';
    expect(parseEndpointHealth(text)).toEqual([
      { endpoint: 'https://10.0.0.5:2379', healthy: true, took: '1.59206ms' },
      {
        endpoint: 'https://10.0.0.6:2379',
        healthy: false,
        took: '5.0s',
        error: 'context deadline exceeded',
      },
    ]);
  });

  it('fails loudly on output it does not understand', () => {
    expect(() => parseEndpointHealth('[{"endpoint":"x"}]')).toThrow(/\[0\]\.health/);
  });
});

describe('connectionString', () => {
  it('sorts and de-duplicates https client URLs, comma-joined', () => {
    const urls = [
      httpsUrl('10.0.0.9', 2379),
      httpsUrl('10.0.0.10', 2379),
      'http://127.0.0.1:4001',
      httpsUrl('10.0.0.9', 2379),
    ];
    expect(connectionString(urls)).toBe('https://10.0.0.10:2379,https://10.0.0.9:2379');
  });

  it('is the same string whatever order the members come in', () => {
    const a = ['https://b:1', 'https://a:1', 'https://c:1'];
    expect(connectionString(a)).toBe(connectionString([...a].reverse()));
  });

  it('is empty with no members', () => {
    expect(connectionString([])).toBe('');
  });
});

describe('initialCluster', () => {
  const peers = [
    { name: 'etcd-2', peerUrl: 'https://10.0.0.7:2380' },
    { name: 'etcd-0', peerUrl: 'https://10.0.0.5:2380' },
    { name: 'etcd-1', peerUrl: 'https://10.0.0.6:2380' },
  ];

  it('builds name=url pairs sorted by member name', () => {
    expect(initialCluster(peers)).toBe(
      'etcd-0=https://10.0.0.5:2380,etcd-1=https://10.0.0.6:2380,etcd-2=https://10.0.0.7:2380',
    );
  });

  it('parses back what it built', () => {
    expect(parseInitialCluster(initialCluster(peers))).toEqual(
      [...peers].sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(parseInitialCluster('')).toEqual([]);
  });
});

describe('staleMembers', () => {
  const member = (id: bigint, name: string, peerUrl: string) => ({
    id,
    idHex: id.toString(16),
    name,
    peerUrls: [peerUrl],
    clientUrls: name === '' ? [] : [peerUrl.replace('2380', '2379')],
    isLearner: false,
  });
  const members = [
    member(1n, 'etcd-0', 'https://10.0.0.5:2380'),
    member(2n, 'etcd-1', 'https://10.0.0.6:2380'),
    member(18446744073709551615n, 'etcd-2', 'https://10.0.0.7:2380'),
    member(4n, '', 'https://10.0.0.8:2380'),
    member(5n, '', 'https://10.0.0.9:2380'),
  ];
  const expected = [
    { name: 'etcd-0', peerUrl: 'https://10.0.0.5:2380' },
    // Its address moved: still the same member, not stale.
    { name: 'etcd-1', peerUrl: 'https://10.0.0.66:2380' },
    // A join in progress: added, not yet started.
    { name: 'etcd-4', peerUrl: 'https://10.0.0.9:2380' },
  ];

  it('names members of departed units and joins no unit accounts for', () => {
    expect(staleMembers(members, expected).map((m) => m.idHex)).toEqual(['4', 'ffffffffffffffff']);
  });

  it('finds nothing stale when every member is expected', () => {
    const all = members.map((m) => ({ name: m.name || 'x', peerUrl: m.peerUrls[0] ?? '' }));
    expect(staleMembers(members, all)).toEqual([]);
  });
});
