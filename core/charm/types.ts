// What a loaded charm is: metadata, config options and actions (DESIGN §7). Pure data.
import type { ConfigValue, EndpointSpec } from '../model/types.js';

export interface CharmMeta {
  name: string;
  summary: string;
  description: string;
  subordinate: boolean;
  /** provides, requires and peers flattened, in file order (role says which). */
  endpoints: EndpointSpec[];
  /** File resources the operator attaches (`rune attach-resource APP NAME=PATH`), by name. */
  resources: Record<string, ResourceSpec>;
}

/** Juju's `resources:` entry; only `type: file` exists in Rune. */
export interface ResourceSpec {
  name: string;
  /** The file's name on the unit's machine. */
  filename: string;
  description: string;
}

export type OptionType = 'string' | 'int' | 'float' | 'boolean';

export interface ConfigOption {
  name: string;
  type: OptionType;
  /** Absent when the option has no default (unset until the operator sets it). */
  default?: ConfigValue;
  description: string;
}

/** A JSON Schema object, as ajv takes it. */
export type JsonSchema = Record<string, unknown>;

export interface CharmConfig {
  options: Record<string, ConfigOption>;
  /** config.yaml compiled to JSON Schema: an object of the options, no others allowed. */
  schema: JsonSchema;
}

export interface ActionSpec {
  name: string;
  description: string;
  /** The params as one JSON Schema object (properties, required, additionalProperties). */
  params: JsonSchema;
}

export interface Charm {
  meta: CharmMeta;
  config: CharmConfig;
  actions: Record<string, ActionSpec>;
  /** Folder the charm was loaded from (absolute). */
  dir: string;
}
