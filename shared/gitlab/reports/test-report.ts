import { parseJunit } from './junit';
import { newSuite, sortedCases, statusCount, totalCount, testSuiteName, type TestCase, type TestSuite } from './test-suite';

/**
 * A pipeline's test report (`Ci::Pipeline#test_reports`) and its summary
 * (`#test_report_summary`, from each job's own report result), with GitLab's entities
 * (`TestReportEntity`, `TestSuiteEntity`, `TestCaseEntity`, `TestReportSummaryEntity`).
 */
export interface JobReports {
  jobId: number;
  jobName: string;
  /** Each JUnit document the job uploaded. */
  documents: string[];
  /** Why an upload could not be read at all (not gzip, too large), reported as the suite's error. */
  unreadable?: string;
}

export type TestReport = Map<string, TestSuite>;

function collect(report: TestReport, job: JobReports): TestSuite {
  const name = testSuiteName(job.jobName);
  let suite = report.get(name);
  if (!suite) report.set(name, (suite = newSuite(name)));
  for (const document of job.documents) parseJunit(document, suite, job.jobId);
  if (job.unreadable) suite.suiteError = `JUnit data parsing failed: ${job.unreadable}`;
  return suite;
}

export function buildTestReport(jobs: readonly JobReports[]): TestReport {
  const report: TestReport = new Map();
  for (const job of jobs) collect(report, job);
  return report;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

function counts(suites: TestSuite[]) {
  return {
    total_count: sum(suites.map(totalCount)),
    success_count: sum(suites.map((suite) => statusCount(suite, 'success'))),
    failed_count: sum(suites.map((suite) => statusCount(suite, 'failed'))),
    skipped_count: sum(suites.map((suite) => statusCount(suite, 'skipped'))),
    error_count: sum(suites.map((suite) => statusCount(suite, 'error'))),
  };
}

/** `/-/jobs/:id/artifacts/file/<path>` of the job whose output named a screenshot. */
export type AttachmentUrl = (jobId: number, path: string) => string;

function testCaseEntity(testCase: TestCase, attachmentUrl: AttachmentUrl) {
  return {
    status: testCase.status,
    name: testCase.name ?? '(No name)',
    classname: testCase.classname,
    file: testCase.file,
    execution_time: testCase.executionTime,
    system_output: testCase.systemOutput,
    stack_trace: null,
    recent_failures: null,
    ...(testCase.attachment ? { attachment_url: attachmentUrl(testCase.jobId, testCase.attachment) } : {}),
  };
}

function testSuiteEntity(suite: TestSuite, attachmentUrl: AttachmentUrl) {
  const { total_count, ...byStatus } = counts([suite]);
  return {
    name: suite.name,
    total_time: suite.totalTime,
    total_count,
    ...byStatus,
    suite_error: suite.suiteError,
    test_cases: sortedCases(suite).map((testCase) => testCaseEntity(testCase, attachmentUrl)),
  };
}

export function testReportEntity(report: TestReport, attachmentUrl: AttachmentUrl) {
  const suites = [...report.values()];
  return {
    total_time: sum(suites.map((suite) => suite.totalTime)),
    ...counts(suites),
    test_suites: suites.map((suite) => testSuiteEntity(suite, attachmentUrl)),
  };
}

/** What GitLab keeps per job when it finishes (`Ci::BuildReportResult`). */
interface ReportResult {
  buildId: number;
  name: string;
  duration: number;
  success: number;
  failed: number;
  skipped: number;
  errored: number;
  suiteError: string | null;
}

function reportResult(job: JobReports): ReportResult {
  const suite = collect(new Map(), job);
  return {
    buildId: job.jobId,
    name: suite.name,
    duration: suite.totalTime,
    success: statusCount(suite, 'success'),
    failed: statusCount(suite, 'failed'),
    skipped: statusCount(suite, 'skipped'),
    errored: statusCount(suite, 'error'),
    suiteError: suite.suiteError,
  };
}

function suiteSummary(results: ReportResult[]) {
  const success = sum(results.map((result) => result.success));
  const failed = sum(results.map((result) => result.failed));
  const skipped = sum(results.map((result) => result.skipped));
  const error = sum(results.map((result) => result.errored));
  return {
    time: sum(results.map((result) => result.duration)),
    count: success + failed + skipped + error,
    success,
    failed,
    skipped,
    error,
    suite_error: results.find((result) => result.suiteError !== null)?.suiteError ?? null,
  };
}

export function testReportSummaryEntity(jobs: readonly JobReports[]) {
  const results = jobs.map(reportResult);
  const groups = new Map<string, ReportResult[]>();
  for (const result of results) groups.set(result.name, [...(groups.get(result.name) ?? []), result]);
  return {
    total: suiteSummary(results),
    test_suites: [...groups.entries()].map(([name, group]) => {
      const summary = suiteSummary(group);
      return {
        name,
        total_time: summary.time,
        total_count: summary.count,
        success_count: summary.success,
        failed_count: summary.failed,
        skipped_count: summary.skipped,
        error_count: summary.error,
        build_ids: group.map((result) => result.buildId),
        suite_error: summary.suite_error,
      };
    }),
  };
}
