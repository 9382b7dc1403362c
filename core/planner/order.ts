// Orders a plan's changes: Kahn's algorithm, always taking the ready change created first, so the
// output is a stable topological sort — deterministic and as close to creation order as allowed.
import type { Change } from './change.js';
import { PlanConsistencyError } from './errors.js';

export function orderChanges(changes: readonly Change[]): Change[] {
  const position = new Map<string, number>();
  changes.forEach((change, i) => position.set(change.id, i));
  const waiting = new Int32Array(changes.length);
  // Dependents as linked lists in flat arrays: one allocation, however many edges.
  const head = new Int32Array(changes.length).fill(-1);
  const next: number[] = [];
  const target: number[] = [];
  changes.forEach((change, i) => {
    for (const id of change.requires) {
      const from = position.get(id);
      if (from === undefined) throw new PlanConsistencyError(change.id, `requires unknown ${id}`);
      waiting[i] = (waiting[i] ?? 0) + 1;
      target.push(i);
      next.push(head[from] ?? -1);
      head[from] = target.length - 1;
    }
  });

  const ready = new MinHeap();
  for (let i = 0; i < changes.length; i++) if (waiting[i] === 0) ready.push(i);
  const out: Change[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    out.push(changes[i] as Change);
    for (let e = head[i] ?? -1; e >= 0; e = next[e] ?? -1) {
      const t = target[e] as number;
      waiting[t] = (waiting[t] ?? 0) - 1;
      if (waiting[t] === 0) ready.push(t);
    }
  }
  if (out.length < changes.length) {
    const stuck = changes.find((_, i) => (waiting[i] ?? 0) > 0);
    throw new PlanConsistencyError(stuck?.id ?? '', 'its requirements form a cycle');
  }
  return out;
}

/** A binary min-heap of creation indices. */
class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const items = this.items;
    let i = items.length;
    items.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as number;
      if (p <= value) break;
      items[i] = p;
      i = parent;
    }
    items[i] = value;
  }

  pop(): number {
    const items = this.items;
    const top = items[0] as number;
    const last = items.pop() as number;
    const n = items.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && (items[right] as number) < (items[left] as number) ? right : left;
      if ((items[child] as number) >= last) break;
      items[i] = items[child] as number;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
