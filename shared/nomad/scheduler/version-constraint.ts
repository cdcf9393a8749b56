import semver from 'semver';

/**
 * Nomad's `version` and `semver` constraint operands: a comma-separated list of `<op> <version>`
 * clauses (`>= 1.2, < 2`, `~> 1.4.1`), all of which must hold. Parsing and ordering are the
 * `semver` package's; only the clause grammar (Go's hashicorp/go-version syntax, which npm ranges
 * do not share: commas, `~>`, `!=`) is written here. `version` is lenient like go-version (`v1`,
 * `1.2`, extra segments); `semver` wants full versions. Pure; results are cached by text.
 */
export type VersionFlavour = 'version' | 'semver';

interface Clause {
  op: string;
  version: semver.SemVer;
  /** Segments written in the clause, for `~>`. */
  segments: number;
}

const CLAUSE = /^\s*(=|==|!=|>=|<=|>|<|~>)?\s*v?([0-9][0-9A-Za-z.+-]*)\s*$/;

function parseVersion(text: string, flavour: VersionFlavour): semver.SemVer | undefined {
  const trimmed = text.trim().replace(/^v/, '');
  if (flavour === 'semver') return semver.parse(trimmed) ?? undefined;
  const match = /^(\d+(?:\.\d+)*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.exec(trimmed);
  if (!match) return undefined;
  const core = match[1].split('.').map(Number);
  while (core.length < 3) core.push(0);
  return semver.parse(`${core.slice(0, 3).join('.')}${match[2] ?? ''}`) ?? undefined;
}

function parseClauses(text: string, flavour: VersionFlavour): Clause[] | undefined {
  const clauses: Clause[] = [];
  for (const part of text.split(',')) {
    const match = CLAUSE.exec(part);
    if (!match) return undefined;
    const version = parseVersion(match[2], flavour);
    if (!version) return undefined;
    clauses.push({ op: match[1] ?? '=', version, segments: match[2].split(/[-+]/)[0].split('.').length });
  }
  return clauses;
}

/** `~> 1.2` allows 1.2 up to (not including) 2.0; `~> 1.2.3` allows 1.2.3 up to 1.3.0. */
function pessimisticUpper(clause: Clause): semver.SemVer {
  const { major, minor } = clause.version;
  return clause.segments <= 2 ? new semver.SemVer(`${major + 1}.0.0`) : new semver.SemVer(`${major}.${minor + 1}.0`);
}

function holds(clause: Clause, version: semver.SemVer): boolean {
  const order = semver.compare(version, clause.version);
  switch (clause.op) {
    case '=':
    case '==':
      return order === 0;
    case '!=':
      return order !== 0;
    case '>':
      return order > 0;
    case '<':
      return order < 0;
    case '>=':
      return order >= 0;
    case '<=':
      return order <= 0;
    case '~>':
      return order >= 0 && semver.compare(version, pessimisticUpper(clause)) < 0;
    default:
      return false;
  }
}

const cache = new Map<string, Clause[] | null>();

export function versionSatisfies(value: string, constraint: string, flavour: VersionFlavour): boolean {
  const key = `${flavour}\0${constraint}`;
  if (!cache.has(key)) cache.set(key, parseClauses(constraint, flavour) ?? null);
  const clauses = cache.get(key);
  const version = parseVersion(value, flavour);
  if (!clauses || !version) return false;
  return clauses.every((clause) => holds(clause, version));
}
