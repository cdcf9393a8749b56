import type { Context } from 'hono';
import { notFound } from '../errors';
import { buildTestReport, testReportEntity, testReportSummaryEntity } from '../reports/test-report';
import { attachmentUrls, pipelineJunitReports } from '../services/test-reports';
import { readPipelineWithJobs } from '../store/pipelines';
import * as grape from './grape';
import { authenticated, authorize, findProject, type Authenticated } from './request';
import { handlers, type GitLabApi } from './routing';
import { pathParams } from './validators';

/** A pipeline's unit test reports (`GET …/pipelines/:pipeline_id/test_report` and `…/test_report_summary`). */
const pipelineIdPath = pathParams({ pipeline_id: grape.pathInteger() });

/** The project (404), the pipeline (404), `read_build` (403), then the JUnit documents of its latest builds. */
async function reportsOf(c: Context<Authenticated>, pipelineId: number) {
  const access = await findProject(c, c.var.principal);
  const read = await readPipelineWithJobs(pipelineId);
  if (!read || read.pipeline.projectId !== access.project.id) throw notFound();
  authorize(access, 'read_build');
  return { access, reports: await pipelineJunitReports(read.jobs) };
}

const report = handlers(authenticated({ required: false }), pipelineIdPath, async (c) => {
  const { access, reports } = await reportsOf(c, c.req.valid('param').pipeline_id);
  return c.json(testReportEntity(buildTestReport(reports), attachmentUrls(access.project)));
});

const summary = handlers(authenticated({ required: false }), pipelineIdPath, async (c) => {
  const { reports } = await reportsOf(c, c.req.valid('param').pipeline_id);
  return c.json(testReportSummaryEntity(reports));
});

export function mountTestReportRoutes(api: GitLabApi): void {
  api.get('/projects/:id/pipelines/:pipeline_id/test_report', ...report);
  api.get('/projects/:id/pipelines/:pipeline_id/test_report_summary', ...summary);
}
