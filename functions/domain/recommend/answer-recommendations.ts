/**
 * One request of the recommendation API, in the domain: the registry's current models (each
 * loader caches), the person as their profile describes them (country for cold start,
 * consent for personalisation, derived from their consent history: only a grant personalises), and the answer of serve-recommendations.ts. Personalize is
 * asked first once its workflow has made a campaign; its failure is reported, not thrown.
 */
import type { CachedModel } from '../shared/model-registry.ts';
import type { ProfileStore } from '../profiles/ports.ts';
import { findProfile } from '../profiles/find-profile.ts';
import { consentHistoryOf, purposeStatus } from '../privacy/consent.ts';
import type { CatalogItem } from './catalog.ts';
import type { EmbeddedRecommendationProvider } from './create-provider.ts';
import type { RecommendationProvider } from './recommendation-provider.ts';
import { recommendFor, similarTo, type ServeQuery, type ServedAnswer } from './serve-recommendations.ts';

export interface AnswerDeps {
  recommender: Pick<CachedModel<EmbeddedRecommendationProvider>, 'get'>;
  catalog: Pick<CachedModel<Map<string, CatalogItem>>, 'get'>;
  store: ProfileStore;
  /** Amazon Personalize, once its workflow has made a campaign. */
  primary?: () => Promise<RecommendationProvider | undefined>;
  onFallback?: (error: unknown) => void;
}

export type RecommendationRequest = { kind: 'person'; userId: string; query: ServeQuery } | { kind: 'similar'; itemId: string; query: ServeQuery };

export async function answerRecommendations(req: RecommendationRequest, deps: AnswerDeps): Promise<ServedAnswer> {
  const [embedded, catalog, primary] = await Promise.all([deps.recommender.get(), deps.catalog.get(), deps.primary?.()]);
  const serve = {
    primary,
    embedded: embedded && { provider: embedded.model, version: embedded.version },
    catalog: catalog?.model ?? new Map<string, CatalogItem>(),
    personOf: async (userId: string) => {
      const p = await findProfile(deps.store, userId);
      // Personalisation needs consent (functions/domain/privacy/consent.ts): withdrawn, denied
      // and never said alike get the non-personal answer; so does someone with no profile.
      if (!p) return { personalisation: false };
      return { country: typeof p.traits.country === 'string' ? p.traits.country : undefined, personalisation: purposeStatus(consentHistoryOf(p), 'personalisation') === 'granted' };
    },
    onFallback: deps.onFallback,
  };
  return req.kind === 'similar' ? similarTo(req.itemId, req.query, serve) : recommendFor(req.userId, req.query, serve);
}
