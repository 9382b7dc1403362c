// The etcd interface: etcd's `db` endpoint (connection string and client credentials for
// kubernetes-master and flannel) and etcd's own `cluster` peers (DESIGN §9). Pure.
import { caRotation, caRotationKeys } from './ca-rotation.js';
import { changedKeys, readString } from './databag.js';
import {
  anyString,
  appBag,
  host,
  pemCertificate,
  pemPrivateKey,
  port,
  unitBag,
  urlList,
  version,
  word,
} from './schema.js';
import type { Databag, InterfaceSpec } from './types.js';

const providerKeys = {
  connection_string: urlList(),
  client_ca: pemCertificate(),
  client_cert: pemCertificate(),
  client_key: pemPrivateKey(),
  // Added late in Charmed Kubernetes for the 2 → 3 migration: absent means etcd 2.
  version: version(),
  // etcd passes on the CA rotation step of the authority its client credentials come from.
  ...caRotationKeys.provider,
};

const peerKeys = {
  management_port: port(),
  public_address: host(),
  unit_name: word('a member name'),
};

// Unknown keys are allowed: the provider's bag is read by charms Rune does not ship (any etcd
// client), and the peer protocol (`cluster`) is private to the etcd charm, which may grow it
// (registration tokens, member ids) without touching this schema.
export const etcdSpec: InterfaceSpec = {
  name: 'etcd',
  roles: {
    provider: {
      unit: unitBag({ properties: providerKeys, additionalProperties: true }),
      app: appBag({ properties: providerKeys, additionalProperties: true }),
    },
    // A client writes nothing 1.21 knew of; Rune's clients echo the CA rotation step.
    requirer: {
      unit: unitBag({ properties: caRotationKeys.requirer, additionalProperties: true }),
      app: appBag({ additionalProperties: true }),
    },
    peer: {
      unit: unitBag({ properties: peerKeys, additionalProperties: true }),
      app: appBag({
        properties: { cluster: anyString('an initial-cluster string') },
        additionalProperties: true,
      }),
    },
  },
};

export interface EtcdConnection {
  connectionString: string;
  /** The connection string split into its URLs. */
  endpoints: string[];
  clientCa: string;
  clientCert: string;
  clientKey: string;
  /** `undefined` when the provider did not say: consumers presume etcd 2 (as 1.21 did). */
  version?: string;
  /** The CA rotation step these credentials belong to (ca-rotation.ts), during a rotation. */
  caRotation?: string;
}

export interface EtcdMember {
  unitName: string;
  publicAddress: string;
  managementPort: number;
}

export const etcd = {
  spec: etcdSpec,
  provider: {
    /** The writes that publish where etcd is and how to authenticate to it. */
    publish(
      bag: Readonly<Databag>,
      data: {
        endpoints: readonly string[];
        clientCa: string;
        clientCert: string;
        clientKey: string;
        version?: string;
        caRotation?: string;
      },
    ): Databag {
      return changedKeys(bag, {
        connection_string: data.endpoints.join(','),
        client_ca: data.clientCa,
        client_cert: data.clientCert,
        client_key: data.clientKey,
        version: data.version ?? '',
        ...caRotation.ask(bag, data.caRotation),
      });
    },
  },
  requirer: {
    /** Everything needed to connect, or undefined until the provider has published it all. */
    connection(remote: Readonly<Databag>): EtcdConnection | undefined {
      const connectionString = readString(remote, 'connection_string');
      const clientCa = readString(remote, 'client_ca');
      const clientCert = readString(remote, 'client_cert');
      const clientKey = readString(remote, 'client_key');
      if (
        connectionString === undefined ||
        clientCa === undefined ||
        clientCert === undefined ||
        clientKey === undefined
      ) {
        return undefined;
      }
      const endpoints = connectionString.split(',').filter((url) => url !== '');
      const found = readString(remote, 'version');
      const step = caRotation.asked(remote);
      return {
        connectionString,
        endpoints,
        clientCa,
        clientCert,
        clientKey,
        ...(found === undefined ? {} : { version: found }),
        ...(step === undefined ? {} : { caRotation: step }),
      };
    },
  },
  peer: {
    publish(bag: Readonly<Databag>, member: EtcdMember): Databag {
      return changedKeys(bag, {
        unit_name: member.unitName,
        public_address: member.publicAddress,
        management_port: String(member.managementPort),
      });
    },
    /** A peer's member facts, or undefined until it has published them. */
    member(remote: Readonly<Databag>): EtcdMember | undefined {
      const unitName = readString(remote, 'unit_name');
      const publicAddress = readString(remote, 'public_address');
      const managementPort = Number(readString(remote, 'management_port'));
      if (unitName === undefined || publicAddress === undefined) return undefined;
      if (!Number.isInteger(managementPort) || managementPort <= 0) return undefined;
      return { unitName, publicAddress, managementPort };
    },
  },
} as const;
