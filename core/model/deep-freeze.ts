// Values shared between readers (parsed once, handed to many) are frozen all the way down, so
// a reader that edits one fails loudly instead of changing what every other reader sees.

/** Freezes `value` and everything it holds (already frozen parts are taken as they are). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
