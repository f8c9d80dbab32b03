/**
 * Statements without values. normalizeStatement() turns the text of a database call into
 * its shape — every literal removed (sql-scan.ts), IN-lists, ARRAY[…] and multi-row VALUES
 * collapsed, length capped — plus a fingerprint (a short hash of the shape), the
 * operation (first keyword, from a known set: keywords.ts) and the table. Redis-like
 * command text keeps only the command name.
 *
 * Fail closed: when the quotes of a statement do not pair up (text built by
 * concatenation, with a quote in the input), the scan cannot tell values from SQL, so the
 * statement is withheld — reduced to its operation and table, `SELECT notes /* text
 * removed: unbalanced quotes *\/` — and so is one the database rejected (withhold()).
 *
 * Results are memoised by raw text in a bounded LRU: a parameterised statement that runs
 * again costs one Map lookup.
 */
import { createHash } from 'node:crypto';
import { Lru } from './lru';
import { scanSql, type Dialect } from './sql-scan';
import { SQL_OPERATIONS } from './keywords';
import { maskDbErrorText } from '../secrets/db-errors';

export interface Normalized {
  /** The shape: literals replaced by ?, at most MAX_STATEMENT characters; or the withheld summary. */
  readonly statement: string;
  /** 16 hex characters of SHA-256 over the shape. */
  readonly fingerprint: string;
  /** First keyword, upper case (SELECT, INSERT, GET, …), or OTHER. */
  readonly operation: string;
  /** The first table named (after FROM, INTO, UPDATE, JOIN, TABLE) before any value, or null. */
  readonly table: string | null;
  /** The text was withheld: statement is only the operation and table. */
  readonly withheld: boolean;
}

export const MAX_STATEMENT = 2000;
/** Longer input is cut before scanning: a cut literal reads as unterminated, i.e. removed. */
const MAX_INPUT = 64 * 1024;
const MEMO_ENTRIES = 1000;
/** Longer raw text is normalised every time rather than held as a memo key. */
const MEMO_MAX_KEY = 2048;

const STANDARD: Dialect = { doubleQuotedIdentifiers: true, backslashEscapes: false, hashComments: false };
const MYSQL: Dialect = { doubleQuotedIdentifiers: false, backslashEscapes: true, hashComments: true };
/** Unknown systems: "…" may well be a value (JSON, MongoDB filters); treat it as one. */
const CAUTIOUS: Dialect = { doubleQuotedIdentifiers: false, backslashEscapes: true, hashComments: false };

const STANDARD_SYSTEMS = new Set(['postgresql', 'cockroachdb', 'sqlite', 'oracle.db', 'oracle', 'mssql', 'microsoft.sql_server', 'db2', 'ibm.db2', 'h2', 'hsqldb', 'derby', 'trino', 'clickhouse', 'snowflake', 'redshift', 'spanner', 'gcp.spanner', 'bigquery']);
const MYSQL_SYSTEMS = new Set(['mysql', 'mariadb', 'tidb']);
const COMMAND_SYSTEMS = new Set(['redis', 'valkey', 'memcached']);

type Family = 'standard' | 'mysql' | 'cautious' | 'command';

function familyOf(system: string | undefined): Family {
  if (system === undefined) return 'standard';
  if (STANDARD_SYSTEMS.has(system)) return 'standard';
  if (MYSQL_SYSTEMS.has(system)) return 'mysql';
  if (COMMAND_SYSTEMS.has(system)) return 'command';
  return 'cautious';
}

const memos: Record<Family, Lru<string, Normalized>> = {
  standard: new Lru(MEMO_ENTRIES),
  mysql: new Lru(MEMO_ENTRIES),
  cautious: new Lru(MEMO_ENTRIES),
  command: new Lru(MEMO_ENTRIES),
};

/** The shape, fingerprint and operation of a statement run against db system `system`. */
export function normalizeStatement(text: string, system?: string): Normalized {
  const family = familyOf(system);
  const memo = memos[family];
  const hit = memo.get(text);
  if (hit !== undefined) return hit;
  const result = compute(text, family);
  if (text.length <= MEMO_MAX_KEY) memo.set(text, result);
  return result;
}

function compute(text: string, family: Family): Normalized {
  const cut = text.length > MAX_INPUT;
  const input = cut ? text.slice(0, MAX_INPUT) : text;
  if (family === 'command') {
    const statement = commandShape(input);
    return result(statement, statement.split(' ', 1)[0], null, false);
  }
  const scan = scanSql(input, family === 'mysql' ? MYSQL : family === 'cautious' ? CAUTIOUS : STANDARD);
  const operation = operationOf(scan.text);
  const table = tableOf(scan.text);
  if (!scan.balanced) return withheldResult(operation, table, cut ? 'too long' : 'unbalanced quotes');
  let statement = collapse(scan.text);
  if (statement.length > MAX_STATEMENT) statement = statement.slice(0, MAX_STATEMENT - 1) + '…';
  return result(statement, operation, table, false);
}

function result(statement: string, operation: string, table: string | null, withheld: boolean): Normalized {
  return Object.freeze({ statement, fingerprint: fingerprintOf(statement), operation, table, withheld });
}

function withheldResult(operation: string, table: string | null, reason: string): Normalized {
  return result(`${operation}${table === null ? '' : ` ${table}`} /* text removed: ${reason} */`, operation, table, true);
}

/** The statement reduced to its operation and table (the database rejected it, so its shape cannot be trusted). */
export function withhold(n: Normalized, reason: string): Normalized {
  return n.withheld ? n : withheldResult(n.operation, n.table, reason);
}

/** A value already replaced by ?, or a positional parameter. */
const P = String.raw`(?:\?|\$\d+)`;
const TUPLE = String.raw`\(\s*${P}(?:\s*,\s*${P})*\s*\)`;
const IN_LIST = new RegExp(String.raw`\bIN\s*\(\s*${P}(?:\s*,\s*${P})*\s*\)`, 'gi');
const ARRAY_LIST = new RegExp(String.raw`\bARRAY\s*\[\s*${P}(?:\s*,\s*${P})*\s*\]`, 'gi');
const VALUES_ROWS = new RegExp(String.raw`\bVALUES\s*(${TUPLE})(?:\s*,\s*${TUPLE})*`, 'gi');

function collapse(shape: string): string {
  return shape
    .replace(IN_LIST, 'IN (?)')
    .replace(ARRAY_LIST, 'ARRAY[?]')
    .replace(VALUES_ROWS, (_m, first: string) => `VALUES ${first}`)
    .trim();
}

/** "get user:42" → "GET ?"; the key and arguments are values. */
function commandShape(text: string): string {
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  const head = (space === -1 ? trimmed : trimmed.slice(0, space)).toUpperCase();
  const command = /^[A-Z][A-Z0-9_.-]{0,39}$/.test(head) ? head : 'COMMAND';
  return space === -1 ? command : `${command} ?`;
}

export function fingerprintOf(statement: string): string {
  return createHash('sha256').update(statement).digest('hex').slice(0, 16);
}

/** The first keyword when it is one a statement starts with, else OTHER. */
function operationOf(shape: string): string {
  const m = /^[(\s]*([A-Za-z]{1,20})(?![A-Za-z])/.exec(shape);
  const word = m?.[1].toUpperCase();
  return word !== undefined && SQL_OPERATIONS.has(word) ? word : 'OTHER';
}

const NAME = '(?:[A-Za-z_][\\w$]{0,63}|"[^"?]{1,64}"|`[^`?]{1,64}`)';
const TABLE = new RegExp(`\\b(?:FROM|INTO|UPDATE|JOIN|TABLE)\\s+(${NAME}(?:\\.${NAME}){0,2})`, 'i');

/** The first table named before any value (what follows a value may be one that escaped its quotes). */
function tableOf(shape: string): string | null {
  const value = shape.search(/\?|\$\d/);
  const head = shape.slice(0, Math.min(value === -1 ? shape.length : value, 500));
  return TABLE.exec(head)?.[1] ?? null;
}

/**
 * Driver error messages quote the offending value ('invalid input syntax for type
 * integer: "4242"', MySQL's "near 'O'Brien note' at line 1"): the values the database
 * error rules know (secrets/db-errors.ts), then every quoted run and number, become ?;
 * length is capped.
 */
export function scrubMessage(message: string): string {
  return maskDbErrorText(message.slice(0, 1000))
    .replace(/'(?:[^'\\]|\\.|'')*'?/g, '?')
    .replace(/"(?:[^"\\]|\\.|"")*"?/g, '?')
    .replace(/\b\d[\d.,:_-]*\b/g, '?')
    .slice(0, 300);
}
