// The http interface: kubernetes-master's kube-api-endpoint tells workers where the API server
// listens (hostname and port). Pure.
import { changedKeys, readString } from './databag.js';
import { appBag, host, port, unitBag } from './schema.js';
import type { Databag, InterfaceSpec } from './types.js';

const providerKeys = { hostname: host(), port: port() };

// Unknown keys are allowed: http is Juju's most widely shared interface and its providers add
// keys of their own (`extended_data`, `ingress-address`); only the two every requirer reads are
// typed. The requirer writes nothing, so it has no schema.
export const httpSpec: InterfaceSpec = {
  name: 'http',
  roles: {
    provider: {
      unit: unitBag({ properties: providerKeys, additionalProperties: true }),
      app: appBag({ properties: providerKeys, additionalProperties: true }),
    },
  },
};

export interface HttpService {
  hostname: string;
  port: number;
}

export const http = {
  spec: httpSpec,
  provider: {
    publish(bag: Readonly<Databag>, service: HttpService): Databag {
      return changedKeys(bag, { hostname: service.hostname, port: String(service.port) });
    },
  },
  requirer: {
    /** Where the remote unit serves; `hostname` falls back to `private-address` as in Juju. */
    service(remote: Readonly<Databag>): HttpService | undefined {
      const hostname = readString(remote, 'hostname') ?? readString(remote, 'private-address');
      const portText = readString(remote, 'port');
      if (hostname === undefined || portText === undefined || !/^[0-9]+$/.test(portText)) {
        return undefined;
      }
      return { hostname, port: Number(portText) };
    },
  },
} as const;
