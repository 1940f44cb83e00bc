/**
 * Item-item cosine over the recency-weighted user × item matrix (Sarwar et al. 2001; Linden
 * et al. 2003): two items are similar when the same people bought both, lately. Each item
 * keeps its `neighbours` most similar items; a person's score for an item is the sum of its
 * similarities to what they bought, weighted by how lately (see create-provider.ts).
 *
 * One dense accumulator row per item over the users who bought it: O(Σ_u n_u²) time and
 * O(items) extra memory, so a catalog of 100,000 items trains without a dense item × item
 * matrix.
 */
import { itemColumns, round4, topIndices, type InteractionMatrix } from './interactions.ts';
import type { RecommenderOptions } from './model-schema.ts';

export interface ItemGraph {
  offsets: number[];
  targets: number[];
  weights: number[];
}

/** Keeps each user's `max` most recent items (all when they have fewer): a view of the matrix. */
export function capItemsPerUser(m: InteractionMatrix, max: number): InteractionMatrix {
  let capped = false;
  for (let u = 0; u < m.users.length && !capped; u++) capped = m.userOffsets[u + 1] - m.userOffsets[u] > max;
  if (!capped) return m;
  const offsets = new Int32Array(m.users.length + 1);
  const items: number[] = [];
  const recency: number[] = [];
  const frequency: number[] = [];
  for (let u = 0; u < m.users.length; u++) {
    offsets[u] = items.length;
    const row = Array.from({ length: m.userOffsets[u + 1] - m.userOffsets[u] }, (_, k) => m.userOffsets[u] + k);
    const kept = row.length > max ? topIndices(m.recency, row, max).sort((a, b) => a - b) : row;
    for (const p of kept) {
      items.push(m.userItems[p]);
      recency.push(m.recency[p]);
      frequency.push(m.frequency[p]);
    }
  }
  offsets[m.users.length] = items.length;
  return { ...m, userOffsets: offsets, userItems: Int32Array.from(items), recency: Float64Array.from(recency), frequency: Float64Array.from(frequency) };
}

export function trainItemItem(matrix: InteractionMatrix, o: RecommenderOptions['itemItem']): ItemGraph {
  const m = capItemsPerUser(matrix, o.maxItemsPerUser);
  const nItems = m.items.length;
  const cols = itemColumns(m, m.recency);
  const norm = new Float64Array(nItems);
  for (let p = 0; p < m.userItems.length; p++) norm[m.userItems[p]] += m.recency[p] * m.recency[p];

  const graph: ItemGraph = { offsets: [0], targets: [], weights: [] };
  const acc = new Float64Array(nItems);
  const seen = new Uint8Array(nItems);
  const touched: number[] = [];
  for (let a = 0; a < nItems; a++) {
    for (let q = cols.offsets[a]; q < cols.offsets[a + 1]; q++) {
      const u = cols.users[q];
      const xa = cols.values[q];
      for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
        const b = m.userItems[p];
        if (b === a) continue;
        if (!seen[b]) {
          seen[b] = 1;
          touched.push(b);
        }
        acc[b] += xa * m.recency[p];
      }
    }
    for (const b of touched) acc[b] /= Math.sqrt(norm[a] * norm[b]);
    for (const b of topIndices(acc, touched, o.neighbours)) {
      graph.targets.push(b);
      graph.weights.push(round4(acc[b]));
    }
    graph.offsets.push(graph.targets.length);
    for (const b of touched) {
      acc[b] = 0;
      seen[b] = 0;
    }
    touched.length = 0;
  }
  return graph;
}
