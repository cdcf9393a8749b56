import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, type CfnElement, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AccessLevel,
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { CONTENT_SECURITY_POLICY } from '../../shared/http/ui-assets';

const UI_DIST = fileURLToPath(new URL('../../ui/dist/', import.meta.url));

/** Cache-Control of the content-hashed files under /ui/assets/: a new build gives them new names. */
export const IMMUTABLE_ASSETS = 'public, max-age=31536000, immutable';
/** Cache-Control of index.html: revalidated on every load, so a deploy shows at once. */
export const HTML_NO_CACHE = 'no-cache';

/** Status codes CloudFront would otherwise keep for 10 s: a Nomad 404 must not outlive the job's registration. */
const CACHED_ERROR_CODES = [400, 403, 404, 405, 414, 500, 501, 502, 503, 504];

// /ui is the app's root; below it, anything but a hashed asset is one of the app's own routes.
const UI_ROUTING = `function handler(event) {
  var request = event.request;
  if (request.uri === '/ui') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '/ui/' } } };
  }
  if (request.uri.indexOf('/ui/assets/') !== 0) request.uri = '/ui/index.html';
  return request;
}`;

export interface WebUiProps {
  /** Every other path goes to the HTTP API, so the UI's calls to /v1, /api/v4 and /v3 stay same-origin. */
  api: HttpApi;
  /** Where the UI bucket's server access logs and the distribution's standard logs go. */
  accessLogsBucket: IBucket;
}

/**
 * The web UI on AWS: the built app (`ui/dist`) in a bucket of its own, and one CloudFront
 * distribution in front of both that bucket (`/ui`, `/ui/*`, read through origin access control,
 * with the UI's Content-Security-Policy) and the HTTP API (everything else, never cached). Its
 * URL is the stack's public origin: the UI and the three APIs under one host.
 */
export class WebUi extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly responseHeaders: ResponseHeadersPolicy;
  readonly assets: BucketDeployment;
  readonly page: BucketDeployment;
  /** `https://…cloudfront.net`, without a trailing slash. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebUiProps) {
    super(scope, id);
    if (!existsSync(path.join(UI_DIST, 'index.html'))) throw new Error(`The web UI is not built (${UI_DIST}): run \`npm install\` or \`npm run build:ui\` first.`);

    this.bucket = new Bucket(this, 'Bucket', {
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'ui-bucket/',
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Only built files live here; every deploy writes them again.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    // Hashed assets first, never pruned: a page loaded before a deploy still finds its old files.
    const built = Source.asset(UI_DIST);
    this.assets = new BucketDeployment(this, 'Assets', {
      sources: [built],
      exclude: ['index.html'],
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'ui/',
      cacheControl: [CacheControl.fromString(IMMUTABLE_ASSETS)],
      prune: false,
      memoryLimit: 512,
    });
    this.page = new BucketDeployment(this, 'Page', {
      sources: [built],
      exclude: ['*'],
      include: ['index.html'],
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'ui/',
      cacheControl: [CacheControl.fromString(HTML_NO_CACHE)],
      prune: false,
      memoryLimit: 512,
    });
    this.page.node.addDependency(this.assets);
    acknowledgeDeploymentHandler(this.bucket);

    this.responseHeaders = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'jobplane web UI: the same security headers the Hono app sends under npm start',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: CONTENT_SECURITY_POLICY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });
    const ui: BehaviorOptions = {
      // LIST lets a missing asset answer 404 rather than 403.
      origin: S3BucketOrigin.withOriginAccessControl(this.bucket, { originAccessLevels: [AccessLevel.READ, AccessLevel.LIST] }),
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: this.responseHeaders,
      functionAssociations: [{
        eventType: FunctionEventType.VIEWER_REQUEST,
        function: new EdgeFunction(this, 'Routing', { code: FunctionCode.fromInline(UI_ROUTING), runtime: FunctionRuntime.JS_2_0, comment: 'jobplane web UI: app routes to index.html' }),
      }],
      compress: true,
    };

    const stack = Stack.of(this);
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'jobplane: web UI and HTTP API',
      defaultBehavior: {
        origin: new HttpOrigin(`${props.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        // Every header but Host (API Gateway routes on its own host name), Authorization included.
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      additionalBehaviors: { '/ui': ui, '/ui/*': ui },
      errorResponses: CACHED_ERROR_CODES.map((httpStatus) => ({ httpStatus, ttl: Duration.seconds(0) })),
      enableLogging: true,
      logBucket: props.accessLogsBucket,
      logFilePrefix: 'cloudfront/',
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
    Annotations.of(this.distribution).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
      'The bucket\'s root is never asked for: the default behaviour goes to the API, and every /ui path names an object (index.html or an asset).',
    );

    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'The control plane serves its users wherever they are; access is governed by the dialects\' tokens, not by country.' },
      { id: 'AwsSolutions-CFR2', reason: 'The HTTP API behind the distribution is throttled per stage and every call is authenticated inside the Lambda; a WAF web ACL is left to the operator.' },
      { id: 'AwsSolutions-CFR4', reason: 'The distribution uses the default *.cloudfront.net certificate, for which CloudFront fixes the minimum protocol; a custom domain and certificate can raise it to TLSv1.2_2021.' },
    );
  }
}

/**
 * BucketDeployment's handler is CDK's own singleton Lambda (Python, the AWS CLI layer) that runs
 * only while CloudFormation deploys: it copies the built files from CDK's asset bucket into ours.
 */
function acknowledgeDeploymentHandler(bucket: Bucket): void {
  const stack = Stack.of(bucket);
  const handler = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!handler) throw new Error('BucketDeployment made no handler function');
  const qualifier = (stack.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') as string | undefined) ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  const grants = 'CDK grants its deployment handler read on its asset bucket and write on the UI bucket with these wildcards, limited to those two buckets.';
  const deployOnly = 'CDK\'s own deployment handler, run by CloudFormation only while a deploy copies the UI files; CloudFormation reports its failure.';
  Validations.of(handler).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The AWS managed basic execution policy only lets the deployment handler write its own CloudWatch logs.',
    },
    ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map((action) => ({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: grants })),
    { id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*]`, reason: grants },
    { id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(bucket.node.defaultChild as CfnElement)}.Arn>/*]`, reason: grants },
    { id: 'AwsSolutions-L1', reason: `${deployOnly} CDK picks its Python runtime.` },
    { id: 'Serverless-LambdaLatestVersion', reason: `${deployOnly} CDK picks its Python runtime.` },
    { id: 'Serverless-LambdaDLQ', reason: deployOnly },
    { id: 'Serverless-LambdaTracing', reason: deployOnly },
  );
}
