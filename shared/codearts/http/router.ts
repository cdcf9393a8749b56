/**
 * CodeArts Build's `/v3` and IAM's token endpoint: importing the route modules registers them on
 * the one `codearts` app.
 */
import './jobs-routes';
import './iam-routes';

export { codearts, codeartsNotFound } from './routing';
