// Located YAML: parse with positions, and diagnostics that name file:line:column.
export * from './diagnostic.js';
export * from './located.js';
