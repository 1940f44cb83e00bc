/**
 * `sightline train <model>`: one entry for every model the registry holds. Scoring models
 * train from the platform's profiles (what the weekly job runs) or, with --data, from a
 * public dataset; the recommender from the interaction log or a file.
 */
import { InvalidArgumentError } from 'commander';
import { localTarget, resourceName, servicesFor } from '../config.ts';
import { clearProgress, progressLine } from '../output.ts';
import { profileCountries, trainRecommenderCommand, type TrainRecommenderResult } from './recommender.ts';
import { SCORE_MODELS, trainScoreCommand, trainScoreFromProfilesCommand, type ScoreModel, type TrainScoreResult } from './train-scores.ts';
import type { RecommenderMethod } from '../../functions/domain/recommend/model-schema.ts';

export interface TrainFlags {
  data?: string;
  method?: RecommenderMethod;
  asOf?: Date;
  promote: boolean;
  modelsBucket?: string;
  interactionsBucket?: string;
  json?: boolean;
}

export type TrainOutcome = ({ kind: 'score' } & TrainScoreResult & { verdict?: string }) | ({ kind: 'recommender' } & TrainRecommenderResult);

export async function trainCommand(model: string, o: TrainFlags): Promise<TrainOutcome> {
  const target = o.modelsBucket ? undefined : localTarget({ writeKey: 'unused' });
  const services = servicesFor(target);
  const modelsBucket = resourceName('MODELS_BUCKET', o.modelsBucket);
  const progress = progressLine(o.json);
  try {
    if ((SCORE_MODELS as readonly string[]).includes(model)) {
      const m = model as ScoreModel;
      if (o.data) return { kind: 'score', ...(await trainScoreCommand({ model: m, data: o.data, services, modelsBucket, promote: o.promote, progress })) };
      const table = resourceName('PROFILES_TABLE_NAME');
      return { kind: 'score', ...(await trainScoreFromProfilesCommand({ model: m, services, table, modelsBucket, asOf: o.asOf ?? new Date(), promote: o.promote, progress })) };
    }
    if (model !== 'recommender') throw new InvalidArgumentError(`unknown model "${model}" (known: recommender, ${SCORE_MODELS.join(', ')})`);
    const profilesTable = target?.resources?.PROFILES_TABLE_NAME;
    const countries = !o.data && profilesTable ? await profileCountries(services, profilesTable) : undefined;
    const interactionsBucket = o.interactionsBucket ?? target?.resources?.INTERACTIONS_BUCKET;
    return { kind: 'recommender', ...(await trainRecommenderCommand({ services, countries, modelsBucket, interactionsBucket, data: o.data, method: o.method, asOf: o.asOf?.toISOString(), promote: o.promote, progress })) };
  } finally {
    if (progress) clearProgress();
  }
}

export function formatTrain(r: TrainOutcome): string {
  const state = (current: boolean) => (current ? 'now current' : 'published, not current');
  if (r.kind === 'recommender') {
    return (
      `recommender ${r.info.version} (${r.method}): ${r.interactions.toLocaleString('en-GB')} purchases, ${r.users} people, ${r.items} items, up to ${r.trainedUntil}; trained in ${r.seconds.toFixed(1)} s` +
      `\n${r.pointer ? 'now current' : 'published, not current (promote it to serve it)'}${r.pointer?.previous ? `; previous ${r.pointer.previous}` : ''}`
    );
  }
  if (r.verdict !== undefined) return `${r.model} ${r.info.version}: ${r.rows.toLocaleString('en-GB')} profiles, trained in ${r.seconds.toFixed(1)} s; ${r.verdict}\n${state(!!r.pointer)}`;
  const figures = Object.entries(r.metrics).filter(([k]) => /auc/.test(k)).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
  return `${r.model} ${r.info.version}: ${r.rows.toLocaleString('en-GB')} rows, trained in ${r.seconds.toFixed(1)} s${figures ? `; ${figures}` : ''}\n${state(!!r.pointer)}`;
}
