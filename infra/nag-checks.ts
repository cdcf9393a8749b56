import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';

/**
 * cdk-nag's AwsSolutions and Serverless packs, run by every synth: a finding neither fixed nor
 * acknowledged (with its reason, beside the resource) fails `cdk synth`.
 */
export function nagPacks(app: App): NagPack[] {
  return [new AwsSolutionsChecks(app), new ServerlessChecks(app)];
}

export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(...nagPacks(app));
}
