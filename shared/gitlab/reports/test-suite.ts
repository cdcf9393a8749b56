import type { RailsValue } from './xml-hash';

/**
 * GitLab's test report model (`Gitlab::Ci::Reports::TestReport`, `TestSuite`, `TestCase`): a
 * pipeline's report has one suite per job group, each suite keeps its cases by status and by
 * `suite_classname_name` key (a later case of the same key replaces the earlier one in the count,
 * while its time still adds to the suite's), and a suite that failed to parse counts nothing.
 */
export const TEST_STATUSES = ['error', 'failed', 'success', 'skipped'] as const;
export type TestStatus = (typeof TEST_STATUSES)[number];

export interface TestCase {
  suiteName: string | null;
  status: TestStatus;
  name: string | null;
  classname: string | null;
  file: string | null;
  executionTime: number;
  /** Text; a skipped case's element as parsed (`<skipped message="…"/>` is a hash), as GitLab exposes it. */
  systemOutput: RailsValue;
  /** Path named by `[[ATTACHMENT|path]]` in the case's output, inside the job's artifacts. */
  attachment: string | null;
  jobId: number;
}

export interface TestSuite {
  name: string;
  /** status → key → case, in insertion order. */
  cases: Map<TestStatus, Map<string, TestCase>>;
  totalTime: number;
  suiteError: string | null;
}

export function newSuite(name: string): TestSuite {
  return { name, cases: new Map(), totalTime: 0, suiteError: null };
}

export function addTestCase(suite: TestSuite, testCase: TestCase): void {
  let byKey = suite.cases.get(testCase.status);
  if (!byKey) suite.cases.set(testCase.status, (byKey = new Map()));
  byKey.set(`${testCase.suiteName ?? ''}_${testCase.classname ?? ''}_${testCase.name ?? ''}`, testCase);
  suite.totalTime += testCase.executionTime;
}

export function statusCount(suite: TestSuite, status: TestStatus): number {
  return suite.suiteError ? 0 : (suite.cases.get(status)?.size ?? 0);
}

export function totalCount(suite: TestSuite): number {
  return TEST_STATUSES.reduce((sum, status) => sum + statusCount(suite, status), 0);
}

/** The cases as GitLab lists them (`TestSuite#sorted`): errors, failures, successes, skips; slowest first within each. */
export function sortedCases(suite: TestSuite): TestCase[] {
  if (suite.suiteError) return [];
  return TEST_STATUSES.filter((status) => suite.cases.has(status)).flatMap((status) =>
    [...suite.cases.get(status)!.values()].sort((a, b) => b.executionTime - a.executionTime),
  );
}

/**
 * The suite a job's cases go to (`Ci::Build#test_suite_name`): the job's group name (`rspec 1/3` →
 * `rspec`), except for `parallel:matrix` jobs, whose own name (`build: [linux]`) is their suite.
 */
export function testSuiteName(jobName: string): string {
  if (/: \[.*\]$/.test(jobName)) return jobName;
  return jobName.replace(/([\b\s:]+((\[.*\])|(\d+[\s:/\\]+\d+))){1,3}\s*$/, '').trim();
}
