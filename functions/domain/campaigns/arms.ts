/**
 * Arm assignment: holdout or variant, and test or remainder, for each eligible person.
 *
 * Design:
 * - Deterministic: sha256(campaignId, personId) decides, so a retried page, a restarted
 *   execution or a report recomputing arms always gets the same answer with nothing stored
 *   first. sha256 (node:crypto, not an AWS SDK) rather than a 32-bit FNV: its bits are
 *   uniform and independent for ids that differ in one character, which a 10 % holdout
 *   measured to a fraction of a percent needs.
 * - Independent draws from separate slices of the digest: one decides holdout, one the
 *   variant, one test vs remainder. Changing the variant weights never moves anyone in or out
 *   of the holdout, and a person's test/remainder draw is independent of their variant.
 * - Assigned after eligibility (CAMPAIGNS.md): the holdout is drawn from people who could have
 *   been sent, so the comparison is fair; measurement is intent-to-treat from the would-be
 *   send time.
 * - The campaign id and person id are joined with a NUL, which neither contains, so
 *   ("a1", "b") and ("a", "1b") never hash alike.
 */
import { createHash } from 'node:crypto';

export interface ArmPlan {
  /** 0…100. */
  holdoutPercent: number;
  variants: ReadonlyArray<{ id: string; weight: number }>;
  /** Winner-then-remainder: this % of the non-holdout audience is in the test phase. */
  testPercent?: number;
}

export type ArmAssignment =
  | { arm: 'holdout'; phase: 'test' | 'remainder' }
  | { arm: 'variant'; variantId: string; phase: 'test' | 'remainder' };

/** Three uniform draws in [0, 1) from the digest (48 bits each: exact in a double). */
export function armDraws(campaignId: string, personId: string): [number, number, number] {
  const d = createHash('sha256').update(campaignId).update('\u0000').update(personId).digest();
  const draw = (offset: number) => d.readUIntBE(offset, 6) / 2 ** 48;
  return [draw(0), draw(6), draw(12)];
}

/** Picks by weight with `u` in [0, 1). */
export function pickByWeight<T extends { weight: number }>(items: ReadonlyArray<T>, u: number): T {
  if (items.length === 0) throw new RangeError('no variants to pick from');
  const total = items.reduce((s, v) => s + v.weight, 0);
  if (!(total > 0)) throw new RangeError('variant weights must add up to more than 0');
  let acc = 0;
  const target = u * total;
  for (const item of items) {
    acc += item.weight;
    if (target < acc) return item;
  }
  return items[items.length - 1]; // u * total rounding up to total
}

/**
 * Holdout and the test phase are both drawn for everyone: a holdout person in the test phase
 * is the control of the test; in the remainder, the control of the campaign as a whole.
 * Without `testPercent` everyone is in phase 'test' (there is only one send).
 */
export function assignArm(campaignId: string, personId: string, plan: ArmPlan): ArmAssignment {
  const [uHoldout, uVariant, uPhase] = armDraws(campaignId, personId);
  const phase = plan.testPercent === undefined || uPhase < plan.testPercent / 100 ? 'test' : 'remainder';
  if (uHoldout < plan.holdoutPercent / 100) return { arm: 'holdout', phase };
  return { arm: 'variant', variantId: pickByWeight(plan.variants, uVariant).id, phase };
}

/** Test or remainder alone: which loop sends the person (filter a page before claiming it). */
export function phaseOf(campaignId: string, personId: string, testPercent: number | undefined): 'test' | 'remainder' {
  if (testPercent === undefined) return 'test';
  return armDraws(campaignId, personId)[2] < testPercent / 100 ? 'test' : 'remainder';
}

/** The arm's label on send records and in reports: 'holdout' or the variant id. */
export function armLabel(a: ArmAssignment): string {
  return a.arm === 'holdout' ? 'holdout' : a.variantId;
}
