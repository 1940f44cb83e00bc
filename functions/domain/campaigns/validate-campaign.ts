/**
 * The campaign state machine's first state: the definition's schema, and then what a schema
 * cannot see — that every template compiles in the renderer that will fill it.
 *
 * Design: one list of `{ path, message }` for everything wrong (fields and templates), so a
 * bad execution fails at once, names every problem, and sends nothing. Template paths are
 * the definition's own (`variants.1.html`), as a marketer would look for them.
 */
import { validateCampaign, type CampaignValidation } from '../../../schemas/campaign.ts';
import { variantTemplateErrors } from './render.ts';

export function validateCampaignDefinition(input: unknown): CampaignValidation {
  const parsed = validateCampaign(input);
  if (!parsed.ok) {
    // Templates of variants that parsed as objects are still checked: report everything at once.
    const raw = (input as { variants?: unknown } | null)?.variants;
    const extra = Array.isArray(raw)
      ? raw.flatMap((v, i) =>
          typeof v === 'object' && v !== null
            ? variantTemplateErrors(v as never).map((e) => ({ path: `variants.${i}.${e.path}`, message: e.message }))
            : [],
        )
      : [];
    return { ok: false, errors: [...parsed.errors, ...extra] };
  }
  const errors = parsed.campaign.variants.flatMap((v, i) => variantTemplateErrors(v).map((e) => ({ path: `variants.${i}.${e.path}`, message: e.message })));
  return errors.length > 0 ? { ok: false, errors } : parsed;
}
