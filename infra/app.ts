import { App } from 'aws-cdk-lib';
import { addNagChecks } from './nag-checks';
import { JobplaneStack } from './stack';

const app = new App();
new JobplaneStack(app, 'Jobplane', {
  description: 'jobplane: serverless jobs control plane (Nomad, GitLab CI and CodeArts job APIs)',
});
addNagChecks(app);
