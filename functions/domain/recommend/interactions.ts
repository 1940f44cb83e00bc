/**
 * Turns raw purchases into the indexed, recency-weighted user × item matrix every trainer
 * reads. Done once per training so the methods compare on identical input.
 *
 * Each purchase line weighs 0.5^(age / half-life), age measured back from `asOf` (the last
 * purchase unless given), so the same data always trains the same model. Per user and item:
 * - `recency`: the weight of the latest purchase (≤ 1): "bought it, and how lately" — the
 *   value of the user × item matrix for item-item and EASE;
 * - `frequency`: the sum of the weights of all purchase lines: repeat buying, lately — ALS's
 *   confidence and the "buy again" signal.
 * Quantity is left to popularity (by units): a wholesale line of 1,200 units says little
 * more about taste than a line of 12.
 */

export interface Interaction {
  userId: string;
  itemId: string;
  /** ISO 8601 or epoch milliseconds. */
  timestamp: string | number;
  quantity?: number;
  country?: string;
}

export interface InteractionMatrix {
  asOf: number;
  users: string[];
  items: string[];
  countries: string[];
  /** Country index of each user's latest purchase, -1 if none was given. */
  userCountry: Int32Array;
  /** CSR by user: userOffsets[u]..userOffsets[u+1] index userItems, recency, frequency. */
  userOffsets: Int32Array;
  userItems: Int32Array;
  recency: Float64Array;
  frequency: Float64Array;
}

const DAY_MS = 86_400_000;

export function toEpochMs(timestamp: string | number): number {
  const t = typeof timestamp === 'number' ? timestamp : Date.parse(timestamp);
  if (!Number.isFinite(t)) throw new RangeError(`timestamp "${timestamp}" is neither ISO 8601 nor epoch milliseconds`);
  return t;
}

/** `halfLifeDays: null` switches recency weighting off (every purchase weighs 1). */
export function decayFunction(asOf: number, halfLifeDays: number | null): (at: number) => number {
  if (halfLifeDays === null) return () => 1;
  const perMs = 1 / (halfLifeDays * DAY_MS);
  return (at) => 0.5 ** (Math.max(0, asOf - at) * perMs);
}

export function buildInteractionMatrix(interactions: readonly Interaction[], halfLifeDays: number | null, asOfGiven?: number): InteractionMatrix {
  let asOf = asOfGiven ?? -Infinity;
  const times = new Float64Array(interactions.length);
  for (let n = 0; n < interactions.length; n++) {
    times[n] = toEpochMs(interactions[n].timestamp);
    if (asOfGiven === undefined && times[n] > asOf) asOf = times[n];
  }
  if (!Number.isFinite(asOf)) asOf = 0;
  const decay = decayFunction(asOf, halfLifeDays);

  const userIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const countryIndex = new Map<string, number>();
  const users: string[] = [];
  const items: string[] = [];
  const countries: string[] = [];
  const userLastAt: number[] = [];
  const userCountry: number[] = [];
  // Per user: item → [latest time, frequency]
  const cells: Map<number, [number, number]>[] = [];

  for (let n = 0; n < interactions.length; n++) {
    const it = interactions[n];
    const at = times[n];
    if (asOfGiven !== undefined && at > asOfGiven) continue; // the future is not training data
    let u = userIndex.get(it.userId);
    if (u === undefined) {
      u = users.length;
      userIndex.set(it.userId, u);
      users.push(it.userId);
      cells.push(new Map());
      userLastAt.push(-Infinity);
      userCountry.push(-1);
    }
    let i = itemIndex.get(it.itemId);
    if (i === undefined) {
      i = items.length;
      itemIndex.set(it.itemId, i);
      items.push(it.itemId);
    }
    const w = decay(at);
    const cell = cells[u].get(i);
    if (cell) {
      if (at > cell[0]) cell[0] = at;
      cell[1] += w;
    } else {
      cells[u].set(i, [at, w]);
    }
    if (it.country) {
      let c = countryIndex.get(it.country);
      if (c === undefined) {
        c = countries.length;
        countryIndex.set(it.country, c);
        countries.push(it.country);
      }
      if (at >= userLastAt[u]) {
        userLastAt[u] = at;
        userCountry[u] = c;
      }
    }
  }

  let nnz = 0;
  for (const m of cells) nnz += m.size;
  const userOffsets = new Int32Array(users.length + 1);
  const userItems = new Int32Array(nnz);
  const recency = new Float64Array(nnz);
  const frequency = new Float64Array(nnz);
  let p = 0;
  for (let u = 0; u < users.length; u++) {
    userOffsets[u] = p;
    // Sorted by item index so training is independent of input order.
    for (const [i, [at, f]] of [...cells[u]].sort((a, b) => a[0] - b[0])) {
      userItems[p] = i;
      recency[p] = decay(at);
      frequency[p] = f;
      p++;
    }
  }
  userOffsets[users.length] = p;
  return { asOf, users, items, countries, userCountry: Int32Array.from(userCountry), userOffsets, userItems, recency, frequency };
}

/** The transpose of the user CSR: for each item, the users who bought it and their values. */
export function itemColumns(m: InteractionMatrix, values: Float64Array): { offsets: Int32Array; users: Int32Array; values: Float64Array } {
  const counts = new Int32Array(m.items.length + 1);
  for (const i of m.userItems) counts[i + 1]++;
  for (let i = 0; i < m.items.length; i++) counts[i + 1] += counts[i];
  const offsets = Int32Array.from(counts);
  const users = new Int32Array(m.userItems.length);
  const vals = new Float64Array(m.userItems.length);
  const fill = Int32Array.from(counts);
  for (let u = 0; u < m.users.length; u++) {
    for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
      const i = m.userItems[p];
      users[fill[i]] = u;
      vals[fill[i]] = values[p];
      fill[i]++;
    }
  }
  return { offsets, users, values: vals };
}

/** Rounds to 4 significant digits: the model stores what it serves, and JSON stays short. */
export const round4 = (x: number): number => (x === 0 ? 0 : Number(x.toPrecision(4)));

/** Indices of the k largest values (ties by lower index), in descending order of value. */
export function topIndices(values: ArrayLike<number>, candidates: ArrayLike<number>, k: number): number[] {
  // Candidate lists here are at most a few thousand long: a sort is simpler than a heap and fast enough.
  const idx = Array.from(candidates);
  idx.sort((a, b) => values[b] - values[a] || a - b);
  return idx.slice(0, k);
}
