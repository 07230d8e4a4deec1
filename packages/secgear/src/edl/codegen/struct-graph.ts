/**
 * Facts about the graph of structs (who contains or points to whom), computed without
 * recursion so that long chains of struct definitions cannot exhaust the stack.
 */
import type { StructModel, ValueType } from '../model.js';

type Elem = Exclude<ValueType, { kind: 'array' }>;

/** The structs/unions a struct refers to through its members (by value or deep-copied pointer). */
function edges(s: StructModel): string[] {
  const out: string[] = [];
  for (const m of s.members) {
    const t: Elem = m.kind === 'value' ? (m.type.kind === 'array' ? m.type.elem : m.type) : m.elem;
    if (t.kind === 'struct' || t.kind === 'union') out.push(t.name);
  }
  return out;
}

/**
 * Structs from which a cycle can be reached: decoding them may recurse without end on
 * hostile (cyclic) data, so their decoders count depth. Found by peeling off structs that
 * reach only already-peeled ones; what cannot be peeled reaches a cycle.
 */
export function cycleReaching(structs: Map<string, StructModel>): Set<string> {
  const out = new Map<string, number>();
  const referrers = new Map<string, string[]>();
  for (const [name, s] of structs) {
    const targets = edges(s).filter((t) => structs.has(t));
    out.set(name, targets.length);
    for (const t of targets) {
      const list = referrers.get(t) ?? [];
      list.push(name);
      referrers.set(t, list);
    }
  }
  const queue = [...structs.keys()].filter((n) => out.get(n) === 0);
  const peeled = new Set<string>();
  while (queue.length) {
    const n = queue.pop()!;
    peeled.add(n);
    for (const r of referrers.get(n) ?? []) {
      const left = out.get(r)! - 1;
      out.set(r, left);
      if (left === 0) queue.push(r);
    }
  }
  return new Set([...structs.keys()].filter((n) => !peeled.has(n)));
}

/**
 * Structs whose wire form differs from their value (they hold, at any depth, typed arrays
 * other than Uint8Array): a fixpoint over the graph.
 */
export function needingEncode(structs: Map<string, StructModel>, typedArrayOf: (e: Elem) => string | null): Set<string> {
  const result = new Set<string>();
  const direct = (e: Elem) => {
    const typed = typedArrayOf(e);
    return typed !== null && typed !== 'Uint8Array';
  };
  for (const [name, s] of structs) {
    // only arrays travel as typed arrays: fixed-size array members and deep-copied buffers
    if (s.members.some((m) => (m.kind === 'buffer' ? direct(m.elem) : m.type.kind === 'array' && direct(m.type.elem)))) result.add(name);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, s] of structs) {
      if (result.has(name)) continue;
      if (edges(s).some((t) => result.has(t))) {
        result.add(name);
        changed = true;
      }
    }
  }
  return result;
}
