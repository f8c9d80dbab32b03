/**
 * Values quoted by database error messages. PostgreSQL, MySQL and MariaDB repeat the
 * offending part of a statement in their errors, and those messages travel far beyond
 * the database span: an application rethrows them, a web framework records them on its
 * own spans, a logger prints them. Wherever such a message appears, the quoted value is
 * replaced by `?` and the words around it are kept:
 *
 *   syntax error at or near "canary"                      → syntax error at or near ?
 *   invalid input syntax for type integer: "4242"         → invalid input syntax for type integer: ?
 *   …for the right syntax to use near 'O'Brien note' at line 1 → …near ? at line 1
 *   Duplicate entry 'bob@x.test' for key 'email'           → Duplicate entry ? for key 'email'
 *   Key (email)=(bob@x.test) already exists.               → Key (email)=(?) already exists.
 *
 * MySQL quotes the rest of the statement as it is, quotes included, so a value does not
 * end at the next quote but at the words that follow it (`' at line`, `' for key`…); when
 * those are missing, everything to the last quote of the line (or the line's end) goes.
 * Linear time: each anchor looks at most WINDOW characters ahead, and the scan resumes
 * after the part it masked.
 */

/** An anchor: the words before a value, then the character that opens it. */
const ANCHOR = /(?:near |Duplicate entry |value: |Unknown column |for (?:type|enum) [\w .]{1,64}: |column |Token |value |out of range: )(['"])|\)=(\()|Failing row contains (\()/g;
/** Cheap first look for maskDbErrorText (a string without any of these is returned as is). */
export const DB_ERROR_TRIGGER = /near ['"]|Duplicate entry|value: |Unknown column|for (?:type|enum) |column "|Token "|value "|out of range: "|\)=\(|Failing row/;

const WINDOW = 1024;
const AFTER_SINGLE = ["' at line", "' for key", "' for column", "' in '"];
const AFTER_DOUBLE = ['" does not exist', '" of relation', '" is out of range', '" for "', '" is invalid'];

/** Database error text with its quoted values replaced by `?`; the same string when there are none. */
export function maskDbErrorText(s: string): string {
  if (!DB_ERROR_TRIGGER.test(s)) return s;
  ANCHOR.lastIndex = 0;
  let out = '';
  let pos = 0;
  for (let m = ANCHOR.exec(s); m !== null; m = ANCHOR.exec(s)) {
    const open = m[1] ?? m[2] ?? m[3];
    const start = m.index + m[0].length; // first character of the value
    const close = closeOf(s, start, open);
    // A quote is dropped with its value; a parenthesis is kept around the `?`.
    const keep = open === '(' ? start : start - 1;
    out += `${s.slice(pos, keep)}?`;
    // The closing quote goes with the value; a closing parenthesis or a line end stays.
    pos = open !== '(' && s[close] === open ? close + 1 : close;
    ANCHOR.lastIndex = Math.max(pos, start);
  }
  return pos === 0 ? s : out + s.slice(pos);
}

/** Index of the character that closes the value starting at `start`. */
function closeOf(s: string, start: number, open: string): number {
  const windowEnd = Math.min(s.length, start + WINDOW);
  const window = s.slice(start, windowEnd);
  let lineEnd = s.indexOf('\n', start);
  if (lineEnd === -1) lineEnd = s.length;
  if (open === '(') {
    const paren = window.lastIndexOf(')');
    return paren === -1 ? lineEnd : start + paren;
  }
  let best = -1;
  for (const after of open === "'" ? AFTER_SINGLE : AFTER_DOUBLE) best = Math.max(best, window.lastIndexOf(after));
  if (best !== -1) return start + best;
  const quote = s.lastIndexOf(open, lineEnd - 1);
  return quote >= start ? quote : lineEnd;
}
