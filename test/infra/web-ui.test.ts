import { rmSync } from 'node:fs';
import type { App, CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTML_NO_CACHE, IMMUTABLE_ASSETS } from '../../infra/constructs/web-ui';
import type { JobplaneStack } from '../../infra/stack';
import { CONTENT_SECURITY_POLICY } from '../../shared/http/ui-assets';
import { stackTemplate } from '../support/stack-template';

// CloudFront's managed policies (the same IDs in every account).
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

let app: App;
let stack: JobplaneStack;
let template: Template;
let resources: Record<string, any>;

const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
const propertiesOf = (construct: IConstruct) => resources[logicalId(construct)].Properties;
const distribution = () => propertiesOf(stack.webUi.distribution).DistributionConfig;

beforeAll(() => {
  ({ app, stack, template, resources } = stackTemplate());
}, 60_000);

afterAll(() => rmSync(app.outdir, { recursive: true, force: true }));

describe('web UI bucket', () => {
  it('is private, TLS-only, encrypted and access-logged, emptied when the stack goes', () => {
    const bucket = propertiesOf(stack.webUi.bucket);
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }]);
    expect(bucket.LoggingConfiguration).toEqual({ DestinationBucketName: ref(stack.stores.accessLogsBucket), LogFilePrefix: 'ui-bucket/' });
    expect(resources[logicalId(stack.webUi.bucket)].DeletionPolicy).toBe('Delete');
    template.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: ref(stack.webUi.bucket) });
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find((p: any) => JSON.stringify(p.Properties.Bucket) === JSON.stringify(ref(stack.webUi.bucket))) as any;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    // Only this distribution reads it (origin access control), not the public.
    const cloudfront = statements.find((s: any) => s.Principal?.Service === 'cloudfront.amazonaws.com');
    expect(cloudfront.Action).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(JSON.stringify(cloudfront.Condition)).toContain(logicalId(stack.webUi.distribution));
    expect(statements.filter((s: any) => s.Effect === 'Allow' && (s.Principal === '*' || s.Principal?.AWS === '*'))).toEqual([]);
  });
});

describe('web UI deployment', () => {
  it('copies the hashed assets as immutable, and index.html as no-cache after them, under ui/', () => {
    const deployments = Object.entries(template.findResources('Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(2);
    const [assetsId, { Properties: assets }] = deployments.find(([, r]) => r.Properties.Include === undefined)!;
    const [, page] = deployments.find(([, r]) => r.Properties.Include !== undefined)!;
    expect(IMMUTABLE_ASSETS).toBe('public, max-age=31536000, immutable');
    expect(assets).toMatchObject({
      DestinationBucketName: ref(stack.webUi.bucket),
      DestinationBucketKeyPrefix: 'ui/',
      Exclude: ['index.html'],
      SystemMetadata: { 'cache-control': IMMUTABLE_ASSETS },
      // Old hashed files stay for pages loaded before the deploy.
      Prune: false,
    });
    expect(page.Properties).toMatchObject({
      DestinationBucketName: ref(stack.webUi.bucket),
      DestinationBucketKeyPrefix: 'ui/',
      Exclude: ['*'],
      Include: ['index.html'],
      SystemMetadata: { 'cache-control': HTML_NO_CACHE },
    });
    expect(page.DependsOn).toContain(assetsId);
    // Both copy the one built ui/dist.
    expect(page.Properties.SourceObjectKeys).toEqual(assets.SourceObjectKeys);
  });
});

describe('distribution', () => {
  it('sends everything but /ui to the HTTP API, uncached, with every viewer header but Host', () => {
    const config = distribution();
    const api = config.Origins.find((o: any) => o.Id === config.DefaultCacheBehavior.TargetOriginId);
    expect(api.DomainName).toEqual({ 'Fn::Join': ['', [ref(stack.http.api), '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] });
    expect(api.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    expect(config.DefaultCacheBehavior).toMatchObject({
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      ViewerProtocolPolicy: 'https-only',
    });
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toBeUndefined();
  });

  it('serves /ui and /ui/* from the bucket through origin access control, with the UI\'s CSP', () => {
    const config = distribution();
    const behaviours = config.CacheBehaviors;
    expect(behaviours.map((b: any) => b.PathPattern)).toEqual(['/ui', '/ui/*']);
    for (const behaviour of behaviours) {
      expect(behaviour).toMatchObject({ CachePolicyId: CACHING_OPTIMIZED, ResponseHeadersPolicyId: ref(stack.webUi.responseHeaders), ViewerProtocolPolicy: 'redirect-to-https' });
      const origin = config.Origins.find((o: any) => o.Id === behaviour.TargetOriginId);
      expect(origin.DomainName).toEqual({ 'Fn::GetAtt': [logicalId(stack.webUi.bucket), 'RegionalDomainName'] });
      expect(origin.OriginAccessControlId).toBeDefined();
      expect(behaviour.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: expect.anything() }]);
    }
    const headers = propertiesOf(stack.webUi.responseHeaders).ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    // The very policy the Hono app sends under npm start.
    expect(headers.ContentSecurityPolicy).toEqual({ ContentSecurityPolicy: CONTENT_SECURITY_POLICY, Override: true });
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'/);
    expect(headers).toMatchObject({ ContentTypeOptions: { Override: true }, ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true }, FrameOptions: { FrameOption: 'DENY' } });
  });

  it('routes the app\'s paths to index.html, keeps assets, and redirects /ui to /ui/', () => {
    const code: string = Object.values(template.findResources('AWS::CloudFront::Function'))
      .map((f: any) => f.Properties.FunctionCode)[0];
    const handler = new Function(`${code}; return handler;`)() as (event: { request: { uri: string } }) => any;
    const uri = (path: string) => handler({ request: { uri: path } }).uri;
    expect(uri('/ui/')).toBe('/ui/index.html');
    expect(uri('/ui/nomad/jobs/web')).toBe('/ui/index.html');
    expect(uri('/ui/assets/index-3f9a1c.js')).toBe('/ui/assets/index-3f9a1c.js');
    expect(handler({ request: { uri: '/ui' } })).toMatchObject({ statusCode: 301, headers: { location: { value: '/ui/' } } });
  });

  it('caches no error answer (a Nomad 404 must not outlive the registration) and logs to the access-log bucket', () => {
    const config = distribution();
    const codes = config.CustomErrorResponses.map((r: any) => r.ErrorCode);
    expect(codes).toEqual(expect.arrayContaining([400, 403, 404, 500, 502, 503, 504]));
    for (const response of config.CustomErrorResponses) {
      expect(response).toEqual({ ErrorCode: response.ErrorCode, ErrorCachingMinTTL: 0 });
    }
    expect(config.Logging).toEqual({ Bucket: { 'Fn::GetAtt': [logicalId(stack.stores.accessLogsBucket), 'RegionalDomainName'] }, Prefix: 'cloudfront/' });
  });

  it('is the public origin: its URL and the UI\'s are outputs', () => {
    const url = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(stack.webUi.distribution), 'DomainName'] }]] };
    const outputs = template.toJSON().Outputs;
    expect(outputs.PublicUrl.Value).toEqual(url);
    expect(outputs.WebUiUrl.Value).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(stack.webUi.distribution), 'DomainName'] }, '/ui/']] });
  });
});
