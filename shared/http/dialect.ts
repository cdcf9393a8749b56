import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { internalError, invalidParameter } from '../codearts/errors';

/**
 * Which API a request speaks, by its path (as the app's not-found answer tells them apart), and
 * the answers the edge gives in that API's own error format before any route runs.
 */
export type Dialect = 'nomad' | 'gitlab' | 'codearts';

export function dialectOf(path: string): Dialect {
  if (path.startsWith('/api/v4/')) return 'gitlab';
  if (path.startsWith('/v3/')) return 'codearts';
  return 'nomad';
}

/** What each dialect says: Nomad plain text, GitLab `{"message"}`, CodeArts `{"error_code","error_msg"}`. */
interface EdgeAnswer {
  status: ContentfulStatusCode;
  nomad: string;
  gitlab: string;
  codearts: { code: string; message: string };
}

/** API Gateway's own refusal on Huawei Cloud (APIG.0201), where GitLab uses its `file_too_large!` text. */
export const BODY_TOO_LARGE: EdgeAnswer = {
  status: 413,
  nomad: 'Request body too large',
  gitlab: '413 Request Entity Too Large',
  codearts: { code: 'APIGW.0201', message: 'Request entity too large' },
};

export function bodyTooDeep(bracket: '{' | '['): EdgeAnswer {
  return {
    status: 400,
    // Go's encoding/json words its own (deeper) limit this way.
    nomad: `invalid character '${bracket}' exceeded max depth`,
    gitlab: '400 Bad request - JSON nested too deeply',
    codearts: { code: invalidParameter().code, message: invalidParameter().message },
  };
}

/** Nomad writes net/http's status text where it has nothing to say; GitLab and CodeArts their generic 500s. */
export const INTERNAL_ERROR: EdgeAnswer = {
  status: 500,
  nomad: 'Internal Server Error',
  gitlab: '500 Internal Server Error',
  codearts: { code: internalError().code, message: internalError().message },
};

export function edgeAnswer(c: Context, answer: EdgeAnswer, requestId: string): Response {
  switch (dialectOf(c.req.path)) {
    case 'gitlab':
      return c.json({ message: answer.gitlab }, answer.status);
    case 'codearts':
      return c.body(JSON.stringify({ error_code: answer.codearts.code, error_msg: answer.codearts.message, request_id: requestId }), answer.status, {
        'Content-Type': 'application/json;charset=UTF-8',
      });
    case 'nomad':
      return c.text(answer.nomad, answer.status);
  }
}
