import { rubyInspect, xmlToHash, XmlSyntaxError, type RailsHash, type RailsValue } from './xml-hash';
import { addTestCase, type TestCase, type TestStatus, type TestSuite } from './test-suite';

/**
 * One JUnit XML document into a suite, as `Gitlab::Ci::Parsers::Test::Junit` reads it: one
 * top-level `testsuites` (or `testsuite`), cases under any level of (nested) `testsuite`; a case
 * is failed, error or skipped by the child element it has, with that element's text (plus the
 * case's `system-out`/`system-err` for failures and errors) as its output. A document that is
 * not XML, or not JUnit-shaped, sets the suite's error instead.
 */
const ATTACHMENT = /\[\[ATTACHMENT\|([^[\]|]+?)\]\]/;

class JunitDataError extends Error {}

/** Ruby's `Array#join` on compacted parts: nested lists are flattened, hashes are inspected. */
function joinOutput(parts: RailsValue[]): string {
  const text = (value: RailsValue): string =>
    value === null ? '' : typeof value === 'string' ? value : Array.isArray(value) ? value.map(text).join('\n\n') : rubyInspect(value);
  return parts.filter((part) => part !== null).map(text).join('\n\n');
}

/** Ruby's `String#to_f`: the leading decimal number, else 0. */
function toFloat(value: RailsValue | undefined): number {
  if (typeof value !== 'string') return 0;
  const match = /^\s*[+-]?(?:\d+(?:_\d+)*)?(?:\.\d+(?:_\d+)*)?(?:[eE][+-]?\d+)?/.exec(value);
  const number = Number((match?.[0] ?? '').replace(/_/g, '').trim());
  return Number.isFinite(number) ? number : 0;
}

const textOrNull = (value: RailsValue | undefined): string | null => (typeof value === 'string' ? value : value == null ? null : rubyInspect(value));

function attachmentPath(systemOut: RailsValue | undefined): string | null {
  return typeof systemOut === 'string' ? (ATTACHMENT.exec(systemOut)?.[1] ?? null) : null;
}

function testCase(data: RailsHash, suiteName: string | null, suite: TestSuite, jobId: number): TestCase {
  const has = (key: string) => Object.prototype.hasOwnProperty.call(data, key);
  const systemOut = has('system_out') ? `System Out:\n\n${textOrNull(data.system_out) ?? ''}` : null;
  const systemErr = has('system_err') ? `System Err:\n\n${textOrNull(data.system_err) ?? ''}` : null;
  let status: TestStatus = 'success';
  let systemOutput: RailsValue = null;
  let attachment: string | null = null;
  if (has('failure') || has('error')) {
    status = has('failure') ? 'failed' : 'error';
    systemOutput = joinOutput([data[has('failure') ? 'failure' : 'error'], systemOut, systemErr]);
    attachment = attachmentPath(data.system_out);
  } else if (has('skipped')) {
    status = 'skipped';
    systemOutput = data.skipped ?? null;
  }
  return {
    suiteName: suiteName ?? suite.name,
    status,
    name: textOrNull(data.name),
    classname: textOrNull(data.classname),
    file: textOrNull(data.file),
    executionTime: toFloat(data.time),
    systemOutput,
    attachment,
    jobId,
  };
}

function list(value: RailsValue | undefined): RailsValue[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value.flat(Infinity as 1) : [value]).filter((item) => item !== null);
}

function eachCase(value: RailsValue | undefined, suiteName: RailsValue | undefined, visit: (data: RailsHash, suiteName: string | null) => void): void {
  for (const item of list(value)) {
    // Ruby's `String#[]=` on a case that is only text.
    if (typeof item === 'string') throw new JunitDataError('string not matched');
    visit(item as RailsHash, typeof suiteName === 'string' ? suiteName : null);
  }
}

function allCases(root: RailsValue | undefined, nested: boolean, visit: (data: RailsHash, suiteName: string | null) => void): void {
  for (const node of list(root)) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) continue;
    if (!nested) allCases(node.testsuites, true, visit);
    if (nested) eachCase(node.testcase, node.name, visit);
    allCases(node.testsuite, true, visit);
  }
}

export function parseJunit(xml: string, suite: TestSuite, jobId: number): void {
  try {
    const root = xmlToHash(xml);
    allCases(root, false, (data, suiteName) => addTestCase(suite, testCase(data, suiteName, suite, jobId)));
  } catch (error) {
    if (error instanceof XmlSyntaxError) suite.suiteError = `JUnit XML parsing failed: ${error.message}`;
    else suite.suiteError = `JUnit data parsing failed: ${(error as Error).message}`;
  }
}
