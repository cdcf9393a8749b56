import { describe, expect, it } from 'vitest';
import { evaluateExpression, ExpressionError } from '../../../shared/gitlab/ci-config/expression';

const vars = { BRANCH: 'main', EMPTY: '', SOURCE: 'api', VERSION: 'v1.2.3', PATTERN: '/^v1/' };

describe('CI/CD variable expressions', () => {
  it.each([
    ['$BRANCH == "main"', true],
    ["$BRANCH == 'dev'", false],
    ['$BRANCH != "dev"', true],
    ['$MISSING == null', true],
    ['$EMPTY == ""', true],
    ['$BRANCH', true],
    ['$EMPTY', false],
    ['$MISSING', false],
    ['$VERSION =~ /^v\\d+\\.\\d+/', true],
    ['$VERSION =~ /^V1/i', true],
    ['$VERSION !~ /^v2/', true],
    ['$VERSION =~ $PATTERN', true],
    ['$BRANCH == "main" && $SOURCE == "web"', false],
    ['$BRANCH == "dev" || $SOURCE == "api"', true],
    ['$BRANCH == "x" || $SOURCE == "api" && $EMPTY', false],
    ['($BRANCH == "x" || $SOURCE == "api") && $BRANCH', true],
    ['${BRANCH} == "main"', true],
  ])('%s → %s', (expression, expected) => {
    expect(evaluateExpression(expression, vars)).toBe(expected);
  });

  it('rejects bad syntax', () => {
    expect(() => evaluateExpression('$A == ', vars)).toThrow(ExpressionError);
    expect(() => evaluateExpression('BRANCH == "x"', vars)).toThrow(ExpressionError);
    expect(() => evaluateExpression('($A == "x"', vars)).toThrow(ExpressionError);
  });
});
