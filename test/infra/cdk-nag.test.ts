import { rmSync } from 'node:fs';
import { type App, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { addNagChecks, nagPacks } from '../../infra/nag-checks';
import { JobplaneStack } from '../../infra/stack';
import { appWithoutBundles } from '../support/stack-template';

const apps: App[] = [];
// cdk-nag reads the template, not the bundles.
function newApp(): App {
  const app = appWithoutBundles();
  apps.push(app);
  return app;
}
afterEach(() => {
  for (const app of apps.splice(0)) rmSync(app.outdir, { recursive: true, force: true });
});

function findings(app: App): string[] {
  return nagPacks(app).flatMap((pack) =>
    pack.validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)),
  );
}

describe('cdk-nag (AwsSolutions and Serverless packs)', () => {
  it('finds nothing unacknowledged in the stack', () => {
    const app = newApp();
    new JobplaneStack(app, 'Test');
    expect(findings(app)).toEqual([]);
  }, 60_000);

  it('runs on synth and fails it on a finding', () => {
    const app = newApp();
    new JobplaneStack(app, 'Test');
    addNagChecks(app);
    expect(() => app.synth()).not.toThrow();

    const failing = newApp();
    const other = new JobplaneStack(failing, 'Test');
    // A queue without a dead-letter queue nor TLS-only policy, acknowledged nowhere.
    new Queue(other, 'Stray');
    addNagChecks(failing);
    expect(findings(failing)).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-SQS3 Test\/Stray/)]));
    expect(() => failing.synth()).toThrow(/AwsSolutions-SQS3/);
  }, 60_000);

  it('keeps every acknowledgement reasoned', () => {
    const app = newApp();
    new JobplaneStack(app, 'Test');
    const acknowledged = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledged.length).toBeGreaterThan(10);
    for (const [id, reason] of acknowledged) expect(reason.length, id).toBeGreaterThan(30);
  });
});
