/**
 * JUnit XML, the report format CI systems read (GitHub Actions test reporters, GitLab's
 * `artifacts:reports:junit`, Jenkins): one `<testsuites>` holding one `<testsuite>` whose
 * `<testcase>`s carry a time and, when they failed, a `<failure>` with a message and a body.
 * Pure: the caller writes the string where it wants.
 */

/** One check of a run (for `oms smoke`, one hop of the order). */
export interface JUnitCase {
  name: string;
  classname: string;
  /** How long the case took; reported in seconds with millisecond precision. */
  timeMs: number;
  /** Present when the case failed: `message` is the one-line reason, `details` the body (diagnosis). */
  failure?: { message: string; type: string; details?: string };
  /** Present when the case did not run; the text says why. */
  skipped?: string;
}

export interface JUnitSuite {
  name: string;
  timestamp: Date;
  /** Host the run happened on (GitLab and Jenkins show it). */
  hostname?: string;
  cases: JUnitCase[];
  /** Free text attached to the suite (the command's own output). */
  systemOut?: string;
}

/** Characters XML 1.0 forbids even when escaped (most C0 controls). */
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escapes text for an XML attribute or element body, dropping characters XML cannot carry. */
export function xmlEscape(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');
}

function renderCase(c: JUnitCase): string {
  const open = `    <testcase${attrs({ classname: c.classname, name: c.name, time: seconds(c.timeMs) })}`;
  if (c.failure) {
    const body = c.failure.details ? xmlEscape(c.failure.details) : '';
    return `${open}>\n      <failure${attrs({ message: c.failure.message, type: c.failure.type })}>${body}</failure>\n    </testcase>`;
  }
  if (c.skipped !== undefined) return `${open}>\n      <skipped${attrs({ message: c.skipped })}/>\n    </testcase>`;
  return `${open}/>`;
}

/** The whole document for one suite; counts and the total time are derived from the cases. */
export function toJUnitXml(suite: JUnitSuite): string {
  const tests = suite.cases.length;
  const failures = suite.cases.filter((c) => c.failure).length;
  const skipped = suite.cases.filter((c) => !c.failure && c.skipped !== undefined).length;
  const time = seconds(suite.cases.reduce((sum, c) => sum + Math.max(0, c.timeMs), 0));
  const counts = { tests, failures, errors: 0, skipped, time };
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: suite.name, tests, failures, errors: 0, time })}>`,
    `  <testsuite${attrs({ name: suite.name, ...counts, timestamp: suite.timestamp.toISOString().replace(/\.\d{3}Z$/, 'Z'), ...(suite.hostname ? { hostname: suite.hostname } : {}) })}>`,
    ...suite.cases.map(renderCase),
    ...(suite.systemOut ? [`    <system-out>${xmlEscape(suite.systemOut)}</system-out>`] : []),
    '  </testsuite>',
    '</testsuites>',
    '',
  ];
  return lines.join('\n');
}

/**
 * GitHub Actions workflow commands for a suite: `::error` for each failed case (the run's
 * summary and the job log show it as an annotation), `::notice` with the totals otherwise.
 * Newlines and `%` are escaped as the runner expects.
 */
export function githubAnnotations(suite: JUnitSuite): string[] {
  const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const failed = suite.cases.filter((c) => c.failure);
  if (failed.length > 0) {
    return failed.map((c) => {
      const body = [c.failure!.message, c.failure!.details].filter(Boolean).join('\n');
      return `::error title=${escapeProperty(`${suite.name}: ${c.name}`)}::${escapeData(body)}`;
    });
  }
  const total = suite.cases.reduce((sum, c) => sum + c.timeMs, 0);
  return [`::notice title=${escapeProperty(suite.name)}::${escapeData(`${suite.cases.length} checks passed in ${total} ms: ${suite.cases.map((c) => `${c.name} ${c.timeMs} ms`).join(', ')}`)}`];
}
