// The CA rotation echo (easyrsa's rotate-ca, issue 15 item 5), shared by two interfaces: a
// provider asks its consumers to apply a step (`ca_rotation`, a token), and each consumer unit
// echoes the last step it applied (`ca_rotation_applied`; `none` outside a rotation). Spoken on
// tls-certificates (easyrsa → its requirers) and on etcd's db (etcd passes easyrsa's step on to
// its clients, docs/ca-rotation.md). Pure.
import { changedKeys, readString } from './databag.js';
import { word } from './schema.js';
import type { Databag } from './types.js';

export const CA_ROTATION = 'ca_rotation';
export const CA_ROTATION_APPLIED = 'ca_rotation_applied';
/** What a consumer echoes when no step is asked: it speaks the protocol, so a rotation that
 * starts waits for it. */
export const NO_ROTATION = 'none';

/** Schema entries for the two keys, by the side that writes them. */
export const caRotationKeys = {
  provider: { [CA_ROTATION]: word('a CA rotation step token') },
  requirer: { [CA_ROTATION_APPLIED]: word('a CA rotation step token, or none') },
};

export const caRotation = {
  /** The step the provider asks for, or undefined outside a rotation. */
  asked(remote: Readonly<Databag>): string | undefined {
    return readString(remote, CA_ROTATION);
  },
  /** The writes that ask consumers for `step`; undefined withdraws the ask. */
  ask(bag: Readonly<Databag>, step: string | undefined): Databag {
    return changedKeys(bag, { [CA_ROTATION]: step ?? '' });
  },
  /** The writes that echo `step` (undefined: no step was asked) once the consumer applied it. */
  echo(bag: Readonly<Databag>, step: string | undefined): Databag {
    return changedKeys(bag, { [CA_ROTATION_APPLIED]: step ?? NO_ROTATION });
  },
  /** The step a consumer unit echoed; undefined for one that does not speak the protocol. */
  applied(remote: Readonly<Databag>): string | undefined {
    return readString(remote, CA_ROTATION_APPLIED);
  },
  /**
   * Of `units` (name and bag), those that speak the protocol and have not applied `step`. A unit
   * that never echoed is not waited for: a consumer written before the protocol would hold a
   * rotation for ever.
   */
  behind(units: Iterable<readonly [string, Readonly<Databag>]>, step: string): string[] {
    const out: string[] = [];
    for (const [unit, bag] of units) {
      const applied = readString(bag, CA_ROTATION_APPLIED);
      if (applied !== undefined && applied !== step) out.push(unit);
    }
    return out;
  },
} as const;
