/**
 * One pass over SQL text that keeps its shape and drops every value: string literals
 * (standard, E'', N'', B'', X'', U&'', _charset'', PostgreSQL dollar-quoted), numbers
 * (integer, decimal, exponent, 0x/0b) and TRUE/FALSE become `?`; comments (--, /* *\/,
 * MySQL #) are removed; runs of whitespace become one space. Quoted identifiers ("col"
 * where the dialect says so, `col`) and positional parameters ($1 — not values) are kept.
 *
 * A quoted run (string, quoted identifier, dollar-quoted body) still open at the end of the
 * text makes the scan unbalanced: the quotes of the statement do not pair up, so what the
 * scan read as outside a literal may well be inside one (concatenated input with a quote
 * in it). The caller must then not trust the shape (normalize.ts fails closed).
 */
export interface Dialect {
  /** "…" is an identifier (standard SQL) rather than a string (MySQL). */
  readonly doubleQuotedIdentifiers: boolean;
  /** Backslash escapes inside '…' (MySQL). */
  readonly backslashEscapes: boolean;
  /** # starts a comment (MySQL). */
  readonly hashComments: boolean;
}

const PREFIXES = new Set(['e', 'n', 'b', 'x', 'u&']);

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}
function isWordPart(c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === 36;
}

/** Index just past a quoted run starting at i (quote char q; doubled q escapes it); -1 when it never closes. */
function skipQuoted(s: string, i: number, q: number, backslash: boolean): number {
  const n = s.length;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (backslash && c === 92) {
      j++;
      continue;
    }
    if (c === q) {
      if (s.charCodeAt(j + 1) === q) {
        j++;
        continue;
      }
      return j + 1;
    }
  }
  return -1;
}

function skipNumber(s: string, i: number): number {
  const n = s.length;
  let j = i;
  if (s.charCodeAt(j) === 48 && /[xXbBoO]/.test(s[j + 1] ?? '')) {
    j += 2;
    while (j < n && /[0-9a-fA-F_]/.test(s[j])) j++;
    return j;
  }
  while (j < n && (isDigit(s.charCodeAt(j)) || s.charCodeAt(j) === 95 || s.charCodeAt(j) === 46)) j++;
  if (j < n && (s[j] === 'e' || s[j] === 'E')) {
    let k = j + 1;
    if (s[k] === '+' || s[k] === '-') k++;
    if (isDigit(s.charCodeAt(k))) {
      j = k;
      while (j < n && isDigit(s.charCodeAt(j))) j++;
    }
  }
  return j;
}

type Kind = 'start' | 'word' | 'value' | 'open' | 'close' | 'comma' | 'op';

export interface Scan {
  /** The shape: values replaced by ?, comments removed, whitespace collapsed. */
  readonly text: string;
  /** Every quoted run closed. */
  readonly balanced: boolean;
}

export function scanSql(s: string, d: Dialect): Scan {
  const out: string[] = [];
  let balanced = true;
  const n = s.length;
  /** The end of a quoted run; an unclosed one runs to the end of the text. */
  const closed = (end: number): number => {
    if (end >= 0) return end;
    balanced = false;
    return n;
  };
  let space = false;
  let last: Kind = 'start';
  let beforeLast: Kind = 'start';
  const emit = (text: string, kind: Kind) => {
    if (space && out.length > 0) out.push(' ');
    space = false;
    out.push(text);
    beforeLast = last;
    last = kind;
  };
  const emitValue = (text = '?') => {
    // A unary minus belongs to the value: "= -5" and "= 5" have one shape.
    if (text === '?' && last === 'op' && out[out.length - 1] === '-' && beforeLast !== 'word' && beforeLast !== 'value' && beforeLast !== 'close') {
      out.pop();
      if (out[out.length - 1] === ' ') {
        out.pop();
        space = true;
      }
      last = beforeLast;
    }
    emit(text, 'value');
  };
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (isSpace(c)) {
      space = true;
      i++;
    } else if (c === 45 && s.charCodeAt(i + 1) === 45) {
      const end = s.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
      space = true;
    } else if (c === 35 && d.hashComments) {
      const end = s.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
      space = true;
    } else if (c === 47 && s.charCodeAt(i + 1) === 42) {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (s.charCodeAt(j) === 42 && s.charCodeAt(j + 1) === 47) {
          depth--;
          j += 2;
        } else if (s.charCodeAt(j) === 47 && s.charCodeAt(j + 1) === 42) {
          depth++;
          j += 2;
        } else j++;
      }
      i = j;
      space = true;
    } else if (c === 39) {
      i = closed(skipQuoted(s, i, 39, d.backslashEscapes));
      emitValue();
    } else if (c === 34) {
      const end = closed(skipQuoted(s, i, 34, !d.doubleQuotedIdentifiers && d.backslashEscapes));
      if (d.doubleQuotedIdentifiers && balanced) emit(s.slice(i, end), 'word');
      else emitValue();
      i = end;
    } else if (c === 96) {
      const end = closed(skipQuoted(s, i, 96, false));
      if (balanced) emit(s.slice(i, end), 'word');
      else emitValue();
      i = end;
    } else if (c === 36) {
      i = closed(dollar(s, i, emitValue, emit));
    } else if (isDigit(c) || (c === 46 && isDigit(s.charCodeAt(i + 1)))) {
      i = skipNumber(s, i);
      emitValue();
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordPart(s.charCodeAt(j))) j++;
      const word = s.slice(i, j);
      const lower = word.toLowerCase();
      if (s.charCodeAt(j) === 39 && (PREFIXES.has(lower) || lower.charCodeAt(0) === 95)) {
        i = closed(skipQuoted(s, j, 39, d.backslashEscapes || lower === 'e'));
        emitValue();
      } else if (lower === 'u' && s.charCodeAt(j) === 38 && s.charCodeAt(j + 1) === 39) {
        i = closed(skipQuoted(s, j + 1, 39, false));
        emitValue();
      } else {
        if (lower === 'true' || lower === 'false') emitValue();
        else emit(word, 'word');
        i = j;
      }
    } else {
      const ch = s[i];
      emit(ch, ch === '(' ? 'open' : ch === ')' ? 'close' : ch === ',' ? 'comma' : ch === '?' ? 'value' : 'op');
      i++;
    }
  }
  return { text: out.join(''), balanced };
}

/** $1 (a parameter, kept), $tag$…$tag$ (a dollar-quoted string; -1 when it never closes) or a lone $. */
function dollar(s: string, i: number, emitValue: (text?: string) => void, emit: (t: string, k: Kind) => void): number {
  if (isDigit(s.charCodeAt(i + 1))) {
    let j = i + 1;
    while (j < s.length && isDigit(s.charCodeAt(j))) j++;
    emitValue(s.slice(i, j));
    return j;
  }
  const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(s.slice(i, i + 66));
  if (m) {
    const tag = m[0];
    const end = s.indexOf(tag, i + tag.length);
    emitValue();
    return end === -1 ? -1 : end + tag.length;
  }
  emit('$', 'op');
  return i + 1;
}
