/**
 * EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): the item × item
 * weight matrix B minimising ‖X − XB‖² + λ‖B‖² with diag(B) = 0 has the closed form
 *   P = (XᵀX + λI)⁻¹,   B_ij = −P_ij / P_jj (i ≠ j),   B_jj = 0,
 * and a person's score for item j is Σ_i x_i B_ij. Unlike cosine, B learns that two items
 * bought by the same people are substitutes of a third rather than double evidence.
 *
 * The inverse is dense, so it covers the `topItems` most-bought items only (memory 2 · 8K²
 * bytes, time ≈ K³/2 multiply-adds: K = 3,000 is 216 MB and seconds); the long tail is never
 * recommended by EASE (popularity still fills). The artifact keeps each item's `keepPerItem`
 * largest positive weights, served exactly like item-item neighbours.
 */
import { invertSpdInPlace } from './dense-matrix.ts';
import { itemColumns, round4, topIndices, type InteractionMatrix } from './interactions.ts';
import type { ItemGraph } from './item-item.ts';
import type { RecommenderOptions } from './model-schema.ts';

export function trainEase(m: InteractionMatrix, o: RecommenderOptions['ease']): ItemGraph {
  const nItems = m.items.length;
  const cols = itemColumns(m, m.recency);
  // The K most-bought items (by number of buyers), in a dense index 0..K-1.
  const buyers = Array.from({ length: nItems }, (_, i) => i);
  const dense = topIndices(
    buyers.map((i) => cols.offsets[i + 1] - cols.offsets[i]),
    buyers,
    o.topItems,
  );
  const k = dense.length;
  const denseOf = new Int32Array(nItems).fill(-1);
  dense.forEach((i, d) => (denseOf[i] = d));

  // Gram matrix G = XᵀX, lower triangle only (all the Cholesky reads), plus λ on the diagonal.
  const g = new Float64Array(k * k);
  const rowD: number[] = [];
  const rowX: number[] = [];
  for (let u = 0; u < m.users.length; u++) {
    rowD.length = 0;
    rowX.length = 0;
    for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
      const d = denseOf[m.userItems[p]];
      if (d >= 0) {
        rowD.push(d);
        rowX.push(m.recency[p]);
      }
    }
    for (let s = 0; s < rowD.length; s++) {
      const ds = rowD[s];
      const xs = rowX[s];
      for (let t = 0; t < rowD.length; t++) {
        const dt = rowD[t];
        if (dt <= ds) g[ds * k + dt] += xs * rowX[t];
      }
    }
  }
  for (let d = 0; d < k; d++) g[d * k + d] += o.lambda;

  invertSpdInPlace(g, k); // g is now P, full and symmetric

  const graph: ItemGraph = { offsets: [0], targets: [], weights: [] };
  const w = new Float64Array(k);
  const candidates: number[] = [];
  for (let i = 0; i < nItems; i++) {
    const di = denseOf[i];
    if (di >= 0) {
      candidates.length = 0;
      for (let dj = 0; dj < k; dj++) {
        if (dj === di) continue;
        const b = -g[di * k + dj] / g[dj * k + dj];
        if (b > 0) {
          w[dj] = b;
          candidates.push(dj);
        }
      }
      for (const dj of topIndices(w, candidates, o.keepPerItem)) {
        graph.targets.push(dense[dj]);
        graph.weights.push(round4(w[dj]));
      }
      for (const dj of candidates) w[dj] = 0;
    }
    graph.offsets.push(graph.targets.length);
  }
  return graph;
}
