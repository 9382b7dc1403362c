// Reading etcdctl's `-w json` output. Pure.
//
// Why not plain JSON.parse: etcd's member, cluster and leader ids are uint64 and etcdctl prints
// them as bare JSON numbers (`--hex` changes only keys and values, not ids — checked on 3.4.23),
// so ids above 2^53 silently lose their low bits as JS numbers and `member remove` would then
// name a member that does not exist. The id fields are quoted before parsing, so they arrive as
// decimal strings and become BigInt. Inside a JSON string every `"` is escaped, so the pattern
// cannot match text in a key, value or member name.
import { EtcdctlOutputError } from './errors.js';

const UINT64_FIELDS = ['ID', 'cluster_id', 'member_id', 'leader', 'revision', 'raft_term'];
const UINT64_PATTERN = new RegExp(`("(?:${UINT64_FIELDS.join('|')})"\\s*:\\s*)(\\d+)`, 'g');

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Parses etcdctl JSON with its uint64 fields as decimal strings; throws EtcdctlOutputError. */
export function parseEtcdctlJson(operation: string, text: string): Json {
  try {
    return JSON.parse(text.replace(UINT64_PATTERN, '$1"$2"')) as Json;
  } catch {
    throw new EtcdctlOutputError(operation, 'not JSON', text);
  }
}

/** Typed field access that names what was missing, so a format change fails loudly. */
export class JsonReader {
  constructor(
    readonly operation: string,
    readonly text: string,
  ) {}

  fail(problem: string): never {
    throw new EtcdctlOutputError(this.operation, problem, this.text);
  }

  object(value: Json | undefined, what: string): JsonObject {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(`${what} is not an object`);
    }
    return value;
  }

  array(value: Json | undefined, what: string): Json[] {
    if (!Array.isArray(value)) this.fail(`${what} is not a list`);
    return value;
  }

  string(value: Json | undefined, what: string): string {
    if (typeof value !== 'string') this.fail(`${what} is not a string`);
    return value;
  }

  /** A string field etcdctl leaves out when empty (a member's name before it starts). */
  optionalString(value: Json | undefined, what: string): string {
    return value === undefined ? '' : this.string(value, what);
  }

  boolean(value: Json | undefined, what: string): boolean {
    if (typeof value !== 'boolean') this.fail(`${what} is not true or false`);
    return value;
  }

  /** A list of strings etcdctl leaves out when empty (an unstarted member's client URLs). */
  strings(value: Json | undefined, what: string): string[] {
    if (value === undefined) return [];
    return this.array(value, what).map((item, i) => this.string(item, `${what}[${i}]`));
  }

  /** A uint64 field, already quoted by parseEtcdctlJson. */
  uint64(value: Json | undefined, what: string): bigint {
    if (typeof value !== 'string' || !/^\d+$/.test(value)) this.fail(`${what} is not an id`);
    return BigInt(value);
  }
}
