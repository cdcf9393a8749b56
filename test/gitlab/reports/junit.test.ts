import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzipMembers } from '../../../shared/gitlab/reports/gzip-members';
import { buildTestReport, testReportEntity, testReportSummaryEntity } from '../../../shared/gitlab/reports/test-report';
import { testSuiteName } from '../../../shared/gitlab/reports/test-suite';

const url = (jobId: number, path: string) => `http://gl/p/-/jobs/${jobId}/artifacts/file/${path}`;

const RSPEC = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="rspec" tests="4">
  <testsuite name="models" tests="4">
    <testcase classname="spec.user" name="is valid" file="./spec/user_spec.rb" time="0.25"/>
    <testcase classname="spec.user" name="rejects a blank name" time="1.5">
      <failure message="expected false" type="RSpec::Expectations::ExpectationNotMetError">expected false, got true
./spec/user_spec.rb:12</failure>
      <system-out>[[ATTACHMENT|screenshots/blank.png]]</system-out>
    </testcase>
    <testcase classname="spec.user" name="is slow" time="2"><skipped message="pending"/></testcase>
    <testcase classname="spec.user" name="explodes" time="0.5"><error>boom</error><system-err>stderr text</system-err></testcase>
    <testcase classname="spec.user" time="0.125"><failure message="only attributes"/></testcase>
  </testsuite>
</testsuites>`;

describe('JUnit reports as GitLab reads them', () => {
  it('parses statuses, outputs, times and attachments into GitLab entities, errors and failures first', () => {
    const report = testReportEntity(buildTestReport([{ jobId: 7, jobName: 'rspec 1/2', documents: [RSPEC] }]), url);
    expect(report).toMatchObject({ total_time: 4.375, total_count: 5, success_count: 1, failed_count: 2, skipped_count: 1, error_count: 1 });
    expect(report.test_suites).toHaveLength(1);
    const [suite] = report.test_suites;
    expect(suite).toMatchObject({ name: 'rspec', total_time: 4.375, total_count: 5, suite_error: null });
    expect(suite.test_cases.map((testCase) => [testCase.status, testCase.name])).toEqual([
      ['error', 'explodes'],
      ['failed', 'rejects a blank name'],
      ['failed', '(No name)'],
      ['success', 'is valid'],
      ['skipped', 'is slow'],
    ]);
    expect(suite.test_cases[0]).toEqual({
      status: 'error', name: 'explodes', classname: 'spec.user', file: null, execution_time: 0.5,
      system_output: 'boom\n\nSystem Err:\n\nstderr text', stack_trace: null, recent_failures: null,
    });
    expect(suite.test_cases[1]).toMatchObject({
      system_output: 'expected false, got true\n./spec/user_spec.rb:12\n\nSystem Out:\n\n[[ATTACHMENT|screenshots/blank.png]]',
      attachment_url: 'http://gl/p/-/jobs/7/artifacts/file/screenshots/blank.png',
    });
    expect(suite.test_cases[2].system_output).toBe('{"message"=>"only attributes"}');
    expect(suite.test_cases[3]).toMatchObject({ file: './spec/user_spec.rb', execution_time: 0.25, system_output: null });
    expect(suite.test_cases[4].system_output).toEqual({ message: 'pending' });
  });

  it('merges the jobs of a group into one suite, counting a repeated case once', () => {
    const again = '<testsuite name="models"><testcase classname="spec.user" name="is valid" time="1"/></testsuite>';
    const report = testReportEntity(buildTestReport([
      { jobId: 1, jobName: 'rspec 1/2', documents: [RSPEC] },
      { jobId: 2, jobName: 'rspec 2/2', documents: [again] },
      { jobId: 3, jobName: 'lint', documents: ['<testsuites><testcase name="direct"/></testsuites>'] },
    ]), url);
    expect(report.test_suites.map((suite) => [suite.name, suite.total_count, suite.total_time])).toEqual([['rspec', 5, 5.375], ['lint', 1, 0]]);
    expect(report.total_count).toBe(6);
  });

  it('reports a document that is not XML as the suite error and counts nothing of it', () => {
    const report = testReportEntity(buildTestReport([{ jobId: 1, jobName: 'test', documents: ['<testsuite><testcase name="a"></testsuite>'] }]), url);
    expect(report.test_suites[0]).toMatchObject({ total_count: 0, success_count: 0, test_cases: [], suite_error: expect.stringMatching(/^JUnit XML parsing failed: \d+:\d+: FATAL: /) });
    const empty = testReportEntity(buildTestReport([{ jobId: 1, jobName: 'test', documents: [''] }]), url);
    expect(empty.test_suites[0].suite_error).toBe('JUnit XML parsing failed: 1:1: FATAL: Document is empty');
    const textCase = testReportEntity(buildTestReport([{ jobId: 1, jobName: 'test', documents: ['<testsuite><testcase>text</testcase></testsuite>'] }]), url);
    expect(textCase.test_suites[0].suite_error).toBe('JUnit data parsing failed: string not matched');
    const unreadable = testReportEntity(buildTestReport([{ jobId: 1, jobName: 'test', documents: [], unreadable: 'not in gzip format' }]), url);
    expect(unreadable.test_suites[0]).toMatchObject({ total_count: 0, suite_error: 'JUnit data parsing failed: not in gzip format' });
  });

  it('summarises per job with build ids and totals', () => {
    const summary = testReportSummaryEntity([
      { jobId: 1, jobName: 'rspec 1/2', documents: [RSPEC] },
      { jobId: 2, jobName: 'rspec 2/2', documents: ['<testsuite><testcase name="x" time="1"/></testsuite>'] },
      { jobId: 3, jobName: 'broken', documents: ['nope'] },
    ]);
    expect(summary.total).toEqual({ time: 5.375, count: 6, success: 2, failed: 2, skipped: 1, error: 1, suite_error: expect.stringMatching(/^JUnit XML parsing failed/) });
    expect(summary.test_suites[0]).toEqual({ name: 'rspec', total_time: 5.375, total_count: 6, success_count: 2, failed_count: 2, skipped_count: 1, error_count: 1, build_ids: [1, 2], suite_error: null });
    expect(summary.test_suites[1]).toMatchObject({ name: 'broken', total_count: 0, build_ids: [3] });
  });

  it('names suites by job group, keeping matrix names', () => {
    expect(testSuiteName('rspec 1/3')).toBe('rspec');
    expect(testSuiteName('rspec:unit 2:4')).toBe('rspec:unit');
    expect(testSuiteName('test')).toBe('test');
    expect(testSuiteName('build: [linux, amd64]')).toBe('build: [linux, amd64]');
  });

  it('reads every gzip member of an upload as its own document', () => {
    const data = Buffer.concat([gzipSync('<a/>'), gzipSync('<b/>')]);
    expect(gzipMembers(data, 1 << 20).map(String)).toEqual(['<a/>', '<b/>']);
    expect(() => gzipMembers(Buffer.from('plain'), 1 << 20)).toThrow('not in gzip format');
    expect(() => gzipMembers(Buffer.concat([gzipSync('<a/>'), gzipSync('x'.repeat(100))]), 50)).toThrow('the report is larger than 50 bytes');
  });
});
