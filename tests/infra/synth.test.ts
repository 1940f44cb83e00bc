/**
 * Synthesis: each stack on its own (with only the stacks it needs), the whole app with zero
 * cdk-nag findings, proof that the nag check is live, and one real esbuild bundle.
 *
 * cdk-nag 3 is a policy-validation plugin (`Validations.of(app).addPlugins`), not an Aspect:
 * its findings are not construct annotations. `Annotations.fromStack(...).findError(...)`
 * therefore cannot list them; like `Template.fromStack`, it synthesizes the app, and the
 * synth throws `ValidationFailed` on any unacknowledged finding, errors and warnings alike.
 * The findings themselves are in `validation-report.json` in the assembly directory.
 */
import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Validations } from 'aws-cdk-lib';
import { buildApp } from '../../bin/app.ts';
import { DataStack } from '../../lib/stacks/data-stack.ts';
import { ProfilesStack } from '../../lib/stacks/profiles-stack.ts';
import { CollectStack } from '../../lib/stacks/collect-stack.ts';
import { CleanStack } from '../../lib/stacks/clean-stack.ts';
import { TagStack } from '../../lib/stacks/tag-stack.ts';

const noBundling = (outdir?: string) => new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });

/** An app holding only the stateful stacks a consumer needs, and cdk-nag. */
function statefulOnly() {
  const app = noBundling();
  const data = new DataStack(app, 'Sightline-Data').data;
  const profiles = new ProfilesStack(app, 'Sightline-Profiles').profiles;
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const writes = { failedEventsBucket: data.failedEventsBucket, failedEventsWriterPolicy: data.failedEventsWriterPolicy };
  return { app, data, profiles, writes };
}
const stackNames = (app: App) => app.synth().stacks.map((s) => s.stackName).sort();

describe('each stack synthesizes on its own', () => {
  it('data and profiles, each alone, depend on nothing', () => {
    for (const Only of [DataStack, ProfilesStack]) {
      // Prepare
      const app = noBundling();
      const stack = new Only(app, 'Only');
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      // Act
      const names = stackNames(app);
      // Assess
      expect(names).toEqual(['Only']);
      expect(stack.dependencies).toEqual([]);
    }
  });
  it('collect, with only the stateful stacks', () => {
    // Prepare
    const { app, data, profiles, writes } = statefulOnly();
    new CollectStack(app, 'Sightline-Collect', { rawStream: data.rawStream, sourcesTable: profiles.sourcesTable, profilesTable: profiles.profilesTable, ...writes });
    // Act
    const names = stackNames(app);
    // Assess
    expect(names).toEqual(['Sightline-Collect', 'Sightline-Data', 'Sightline-Profiles']);
  });
  it('clean, with only the stateful stacks', () => {
    // Prepare
    const { app, data, profiles, writes } = statefulOnly();
    new CleanStack(app, 'Sightline-Clean', { rawStream: data.rawStream, cleanStream: data.cleanStream, idempotencyTable: profiles.idempotencyTable, ...writes });
    // Act
    const names = stackNames(app);
    // Assess
    expect(names).toEqual(['Sightline-Clean', 'Sightline-Data', 'Sightline-Profiles']);
  });
  it('tag, with only the stateful stacks', () => {
    // Prepare
    const { app, data, profiles, writes } = statefulOnly();
    new TagStack(app, 'Sightline-Tag', { cleanStream: data.cleanStream, profilesTable: profiles.profilesTable, ...writes });
    // Act
    const names = stackNames(app);
    // Assess
    expect(names).toEqual(['Sightline-Data', 'Sightline-Profiles', 'Sightline-Tag']);
  });
});

describe('the whole app', () => {
  it('synthesizes with zero unacknowledged cdk-nag findings, and wires stacks through typed props', () => {
    // Prepare
    const app = noBundling();
    const { stacks } = buildApp(app);
    // Act
    const names = stackNames(app); // throws ValidationFailed on any finding
    // Assess
    expect(names).toEqual(['Sightline-Admin', 'Sightline-Auth', 'Sightline-Campaigns', 'Sightline-Clean', 'Sightline-Collect', 'Sightline-Dashboard', 'Sightline-Data', 'Sightline-Personalize', 'Sightline-Privacy', 'Sightline-Profiles', 'Sightline-Recommend', 'Sightline-Score', 'Sightline-Tag']);
    expect(stacks.campaigns.dependencies.map((d) => d.stackName).sort()).toEqual(['Sightline-Collect', 'Sightline-Data', 'Sightline-Profiles']);
    expect(stacks.score.dependencies.map((d) => d.stackName).sort()).toEqual(['Sightline-Data', 'Sightline-Profiles']);
    expect(stacks.recommend.dependencies.map((d) => d.stackName).sort()).toEqual(['Sightline-Collect', 'Sightline-Data', 'Sightline-Personalize', 'Sightline-Profiles']);
    expect(stacks.collect.dependencies.map((d) => d.stackName).sort()).toEqual(['Sightline-Data', 'Sightline-Profiles']);
    expect(stacks.data.dependencies).toEqual([]);
    expect(stacks.profiles.dependencies).toEqual([]);
  });
  it('fails the synth on an unacknowledged cdk-nag finding, naming the rule and the construct (the check is live)', () => {
    // Prepare
    const outdir = mkdtempSync(join(tmpdir(), 'sightline-nag-'));
    const app = noBundling(outdir);
    const { stacks } = buildApp(app);
    new Bucket(stacks.collect, 'Careless'); // no access logs, no TLS-only policy
    // Act
    const synth = () => app.synth();
    // Assess
    expect(synth).toThrow(/validation-report\.json/); // the message itself differs between runners
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    const nag = report.pluginReports.find((p: { pluginName: string }) => p.pluginName === 'AwsSolutions');
    expect(nag.conclusion).toBe('failure');
    expect(nag.violations.map((v: { ruleName: string; violatingConstructs: { constructPath: string }[] }) => [v.ruleName, v.violatingConstructs.map((c) => c.constructPath)])).toEqual([
      ['AwsSolutions-S1', ['Sightline-Collect/Careless/Resource']],
      ['AwsSolutions-S10', ['Sightline-Collect/Careless/Resource']],
    ]);
  });
});

describe('bundling', () => {
  it('bundles a handler with esbuild offline, without Docker, SDK included, as ESM with require', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': ['Sightline-Tag'] } });
    buildApp(app);
    // Act
    const assembly = app.synth();
    // Assess
    const assets = readdirSync(assembly.directory).filter((d) => d.startsWith('asset.'));
    expect(assets).toHaveLength(1); // only the tag stack's one function was bundled
    const bundle = readFileSync(join(assembly.directory, assets[0], 'index.mjs'), 'utf8');
    expect(bundle).toContain('createRequire');
    expect(readdirSync(join(assembly.directory, assets[0]))).toContain('index.mjs.map');
    expect(bundle.length).toBeGreaterThan(100_000); // the SDK and Powertools are inside, not external
  });
});
