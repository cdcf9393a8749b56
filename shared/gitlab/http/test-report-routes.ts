import { notFound } from '../errors';
import { testReportEntity, testReportSummaryEntity, buildTestReport } from '../reports/test-report';
import { attachmentUrls, pipelineJunitReports } from '../services/test-reports';
import { readPipelineWithJobs } from '../store/pipelines';
import * as grape from './grape';
import { authenticated, authorize, findProject } from './request';
import { handlers, route } from './routing';
import { pathParams } from './validators';

/** A pipeline's unit test reports (`GET …/pipelines/:pipeline_id/test_report` and `…/test_report_summary`). */
const pipelineIdPath = pathParams({ pipeline_id: grape.pathInteger() });

const reportsOf = handlers(authenticated({ required: false }), pipelineIdPath, async (c) => {
  const access = await findProject(c, c.var.principal);
  const read = await readPipelineWithJobs(c.req.valid('param').pipeline_id);
  if (!read || read.pipeline.projectId !== access.project.id) throw notFound();
  authorize(access, 'read_build');
  const reports = await pipelineJunitReports(read.jobs);
  return c.req.path.endsWith('/test_report_summary')
    ? c.json(testReportSummaryEntity(reports))
    : c.json(testReportEntity(buildTestReport(reports), attachmentUrls(access.project)));
});

route('GET', '/projects/:id/pipelines/:pipeline_id/test_report', reportsOf);
route('GET', '/projects/:id/pipelines/:pipeline_id/test_report_summary', reportsOf);
