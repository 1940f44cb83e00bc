/**
 * How deep a request may nest, and how to look at one that nests deeper without a stack
 * overflow.
 *
 * Design:
 * - V8's JSON.parse is iterative (500,000 nested arrays parse on Node 24), so parsing a
 *   hostile body is safe; what overflowed the stack was every recursive walk after it
 *   (JSON.stringify for the 32 KB size check, the stream and failed-events writers). So the
 *   parsed value is measured here with an explicit stack, before any recursive walk.
 * - 32 levels: DynamoDB refuses documents nested deeper than 32 levels, and a profile keeps
 *   traits as they arrive (event.traits.x ↔ item.traits.x, the same level), so an event
 *   nested deeper could be accepted and then never stored. Real Segment events nest a
 *   handful (properties.products[0].variant…), and every later recursive walk (zod,
 *   JSON.stringify, marshalling) stays far from the stack's limit.
 */

/** Objects and arrays may nest at most this deep, the event (or the request body) being level 1. */
export const MAX_JSON_DEPTH = 32;

interface Node {
  value: unknown;
  depth: number;
  key: string | number | undefined;
  parent: Node | undefined;
}

const isContainer = (v: unknown): v is object => typeof v === 'object' && v !== null;

/**
 * The path (keys and indexes from `value`) to the first object or array that sits deeper
 * than `max` levels, `value` itself being level 1; undefined when nothing does.
 * Iterative: any depth the parser produced can be measured.
 */
export function pathBeyondDepth(value: unknown, max = MAX_JSON_DEPTH): (string | number)[] | undefined {
  if (!isContainer(value)) return undefined;
  const stack: Node[] = [{ value, depth: 1, key: undefined, parent: undefined }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.depth > max) {
      const path: (string | number)[] = [];
      for (let n: Node | undefined = node; n?.parent; n = n.parent) path.push(n.key!);
      return path.reverse();
    }
    const entries: [string | number, unknown][] = Array.isArray(node.value) ? node.value.map((v, i) => [i, v]) : Object.entries(node.value as object);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i];
      if (isContainer(child)) stack.push({ value: child, depth: node.depth + 1, key, parent: node });
    }
  }
  return undefined;
}

/**
 * JSON text of `value` with every object or array below `max` levels replaced by a marker
 * string: what can be kept of a too-deep payload (JSON.stringify on the value itself would
 * overflow the stack). The copy is made with an explicit stack, like the measurement.
 */
export function prunedJson(value: unknown, max = MAX_JSON_DEPTH): string {
  if (!isContainer(value)) return JSON.stringify(value) ?? 'null';
  // Null-prototype copies: a `__proto__` key (JSON.parse makes it an own property) stays a key.
  const copyOf = (v: object): Record<string, unknown> | unknown[] => (Array.isArray(v) ? [] : Object.create(null));
  const root = copyOf(value);
  const stack: { from: object; to: Record<string, unknown> | unknown[]; depth: number }[] = [{ from: value, to: root, depth: 1 }];
  while (stack.length > 0) {
    const { from, to, depth } = stack.pop()!;
    const entries: [string | number, unknown][] = Array.isArray(from) ? from.map((v, i) => [i, v]) : Object.entries(from);
    for (const [key, child] of entries) {
      let out: unknown = child;
      if (isContainer(child)) {
        if (depth + 1 > max) out = `[nested deeper than ${max} levels]`;
        else {
          out = copyOf(child);
          stack.push({ from: child, to: out as Record<string, unknown> | unknown[], depth: depth + 1 });
        }
      }
      (to as Record<string | number, unknown>)[key] = out;
    }
  }
  return JSON.stringify(root);
}
