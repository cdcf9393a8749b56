import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * XML read the way GitLab reads test reports: Rails' `Hash.from_xml` (Nokogiri backend) with its
 * typecasting. Elements become hashes (a repeated child becomes a list), attributes override
 * children of the same name, text goes under `__content__` and an element that is only text (or has
 * text beside attributes) becomes that text; an empty element is `nil`; dashes in names become
 * underscores (`system-out` → `system_out`).
 */
export type RailsValue = string | null | RailsHash | RailsValue[];
export interface RailsHash {
  [key: string]: RailsValue;
}

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string>; '#text'?: string };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const CONTENT = '__content__';
const underscored = (name: string) => name.replace(/-/g, '_');
const blank = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

export class XmlSyntaxError extends Error {}

function insert(into: Record<string, unknown>, name: string, value: unknown): void {
  const existing = into[name];
  if (existing === undefined) into[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else into[name] = [existing, value];
}

/** `XmlMini::NokogiriEngine#to_hash`: the raw hash before typecasting. */
function rawHash(children: Ordered[], attributes: Record<string, string> | undefined): Record<string, unknown> {
  const hash: Record<string, unknown> = {};
  for (const child of children) {
    if (child['#text'] !== undefined) {
      hash[CONTENT] = String(hash[CONTENT] ?? '') + child['#text'];
      continue;
    }
    const name = Object.keys(child).find((key) => key !== ':@');
    if (name === undefined) continue;
    insert(hash, underscored(name), rawHash(child[name] as Ordered[], child[':@']));
  }
  if (Object.keys(hash).length > 1 && blank(hash[CONTENT])) delete hash[CONTENT];
  for (const [name, value] of Object.entries(attributes ?? {})) hash[underscored(name)] = value;
  return hash;
}

/** `Hash.from_xml`'s `typecast_xml_value`, without the typed-content parsers JUnit files never use. */
function typecast(value: unknown): RailsValue {
  if (Array.isArray(value)) {
    const list = value.map(typecast);
    return list.length > 1 ? list : (list[0] ?? null);
  }
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return null;
  const hash = value as Record<string, unknown>;
  const keys = Object.keys(hash);
  const content = hash[CONTENT];
  if (typeof content === 'string' && (keys.length === 1 || !blank(content))) return content;
  if (hash.type === 'string' && hash.nil !== 'true') return '';
  if (keys.length === 0 || hash.nil === 'true') return null;
  if (typeof hash.type === 'string' && keys.length === 1) return null;
  return Object.fromEntries(keys.map((key) => [key, typecast(hash[key])]));
}

/** The document as a Rails hash; XmlSyntaxError names the first syntax error as Nokogiri would place it. */
export function xmlToHash(xml: string): RailsHash {
  if (xml.trim() === '') throw new XmlSyntaxError('1:1: FATAL: Document is empty');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new XmlSyntaxError(`${valid.err.line}:${valid.err.col ?? 1}: FATAL: ${valid.err.msg}`);
  const document = parser.parse(xml) as Ordered[];
  return typecast(rawHash(document, undefined)) as RailsHash;
}

/** Ruby's `inspect` of a parsed value, as GitLab shows one that is not text (`{"message"=>"x"}`). */
export function rubyInspect(value: RailsValue): string {
  if (value === null) return 'nil';
  if (typeof value === 'string') return JSON.stringify(value).replace(/#(?=[{$@])/g, '\\#');
  if (Array.isArray(value)) return `[${value.map(rubyInspect).join(', ')}]`;
  return `{${Object.entries(value).map(([key, item]) => `${rubyInspect(key)}=>${rubyInspect(item)}`).join(', ')}}`;
}
