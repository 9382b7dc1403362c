// The model room's public surface.
export * from './names.js';
export * from './status.js';
export * from './types.js';
export * from './errors.js';
