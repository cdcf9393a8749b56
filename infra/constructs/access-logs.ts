import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import type { IAccessLogSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * Access logs of an API Gateway stage: one JSON line per request in a log group of its own. The
 * request id is the `X-Request-Id` our answers carry, so a quoted id finds both the access line
 * and the function's log lines.
 */
export function stageAccessLogs(scope: Construct, id: string, fields: Record<string, string>): IAccessLogSettings {
  const logGroup = new LogGroup(scope, id, { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  return {
    destination: new LogGroupLogDestination(logGroup),
    format: AccessLogFormat.custom(JSON.stringify({ requestId: '$context.requestId', ip: '$context.identity.sourceIp', requestTime: '$context.requestTime', ...fields })),
  };
}

/** Callers authenticate with the dialects' own tokens, which only the function can check. */
export function acknowledgeAuthorizationInFunction(scope: Construct): void {
  const reason = 'Authorization happens inside the Lambda: Nomad ACL tokens, GitLab tokens and CodeArts tokens are checked by the application, as the real APIs do.';
  Validations.of(scope).acknowledge({ id: 'AwsSolutions-APIG4', reason });
}
