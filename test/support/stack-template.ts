import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { JobplaneStack } from '../../infra/stack';

const { context } = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

/** An app with the project's CDK context (and `extra`) that skips esbuild: for tests that read the template, not the bundles. */
export function appWithoutBundles(extra: Record<string, unknown> = {}): App {
  return new App({ context: { ...context, ...extra, 'aws:cdk:bundling-stacks': [] } });
}

/** The stack synthesised without bundles, its template, and the template's resources by logical id. */
export function stackTemplate(): { app: App; stack: JobplaneStack; template: Template; resources: Record<string, any> } {
  const app = appWithoutBundles();
  const stack = new JobplaneStack(app, 'Test');
  const template = Template.fromStack(stack);
  return { app, stack, template, resources: template.toJSON().Resources };
}
