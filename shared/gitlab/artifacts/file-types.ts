/**
 * GitLab's artifact kinds (`Ci::JobArtifact` file types): each has the one format it is stored in
 * and the file name it is listed under. An upload names its kind and format; a pair GitLab would
 * refuse is refused here too.
 */
export const ARTIFACT_FORMATS = ['raw', 'zip', 'gzip'] as const;
export type ArtifactFormat = (typeof ARTIFACT_FORMATS)[number];

interface FileType {
  format: ArtifactFormat;
  filename: string;
}

const gzip = (filename: string): FileType => ({ format: 'gzip', filename });
const raw = (filename: string): FileType => ({ format: 'raw', filename });

export const FILE_TYPES: Record<string, FileType> = {
  archive: { format: 'zip', filename: 'artifacts.zip' },
  metadata: gzip('metadata.gz'),
  trace: raw('job.log'),
  junit: gzip('junit.xml.gz'),
  metrics: gzip('metrics.txt.gz'),
  dotenv: gzip('.env.gz'),
  cobertura: gzip('cobertura-coverage.xml.gz'),
  jacoco: gzip('jacoco.xml.gz'),
  cyclonedx: gzip('gl-sbom.cdx.json.gz'),
  annotations: gzip('gl-annotations.json.gz'),
  lsif: { format: 'zip', filename: 'lsif.json.zip' },
  accessibility: raw('gl-accessibility.json'),
  codequality: raw('gl-code-quality-report.json'),
  browser_performance: raw('browser-performance.json'),
  load_performance: raw('load-performance.json'),
  terraform: raw('tfplan.json'),
  requirements: raw('requirements.json'),
  requirements_v2: raw('requirements_v2.json'),
  sast: raw('gl-sast-report.json'),
  secret_detection: raw('gl-secret-detection-report.json'),
  dependency_scanning: raw('gl-dependency-scanning-report.json'),
  container_scanning: raw('gl-container-scanning-report.json'),
  cluster_image_scanning: raw('gl-cluster-image-scanning-report.json'),
  dast: raw('gl-dast-report.json'),
  coverage_fuzzing: raw('gl-coverage-fuzzing.json'),
  api_fuzzing: raw('gl-api-fuzzing-report.json'),
};

/** The format a runner is told to upload a report of `type` in (gzip for unknown kinds). */
export function reportFormat(type: string): ArtifactFormat {
  return FILE_TYPES[type]?.format ?? 'gzip';
}

/** Kinds a runner may upload (the metadata and the trace are made by the server). */
export function isUploadableType(type: string): boolean {
  return type in FILE_TYPES && type !== 'metadata' && type !== 'trace';
}
