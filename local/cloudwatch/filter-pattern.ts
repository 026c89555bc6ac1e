/**
 * CloudWatch Logs filter patterns ("Filter pattern syntax for metric filters, subscription filters, filter log
 * events"), for unstructured and JSON log events:
 *
 * - empty, or `""`: every event;
 * - terms: `ERROR Exception` (all of them, case-sensitive), `"exact phrase"`, `?ERROR ?WARN` (any of the `?` terms),
 *   `-DEBUG` (none of these), combinable as `ERROR -retry`;
 * - JSON: `{ $.level = "ERROR" }`, `{ $.latencyMs > 1000 }`, `{ $.user.id = 42 && ($.status = 500 || $.status = 503) }`,
 *   with `=`, `!=`, `<`, `>`, `<=`, `>=`, `*` wildcards in strings, `IS NULL`, `NOT EXISTS`, `IS TRUE`, `IS FALSE`, and
 *   `$.list[0]` indexes. An event that is not JSON never matches a JSON pattern.
 */
export type FilterPattern = (message: string) => boolean;

export class FilterPatternError extends Error {}

export function compileFilterPattern(pattern: string): FilterPattern {
  const text = pattern.trim();
  if (text === '' || text === '""') return () => true;
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) throw new FilterPatternError(`the JSON filter pattern ${text} does not end with "}"`);
    const condition = parseJsonCondition(text.slice(1, -1));
    return (message) => {
      let event: unknown;
      try {
        event = JSON.parse(message);
      } catch {
        return false;
      }
      return condition(event);
    };
  }
  return compileTerms(text);
}

function compileTerms(text: string): FilterPattern {
  const terms = [...text.matchAll(/([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)].map((m) => ({
    mode: m[1] as '' | '?' | '-',
    value: (m[2] ?? m[3] ?? '').replace(/\\"/g, '"'),
  }));
  const all = terms.filter((t) => t.mode === '').map((t) => t.value);
  const any = terms.filter((t) => t.mode === '?').map((t) => t.value);
  const none = terms.filter((t) => t.mode === '-').map((t) => t.value);
  return (message) =>
    all.every((t) => message.includes(t)) &&
    (any.length === 0 || any.some((t) => message.includes(t))) &&
    !none.some((t) => message.includes(t));
}

type Condition = (event: unknown) => boolean;
type Token = { kind: 'selector' | 'string' | 'number' | 'op' | 'word' | '(' | ')'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s*(?:(\$(?:\.[\w-]+|\[\d+\])*)|"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(&&|\|\||!=|<=|>=|=|<|>)|([A-Za-z_*][\w*.:/-]*)|(\()|(\)))/y;
  let index = 0;
  while (index < text.length) {
    if (/^\s*$/.test(text.slice(index))) break;
    pattern.lastIndex = index;
    const m = pattern.exec(text);
    if (m === null)
      throw new FilterPatternError(`cannot read the filter pattern at "${text.slice(index).trim().slice(0, 20)}"`);
    index = pattern.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'selector', text: m[1] });
    else if (m[2] !== undefined) tokens.push({ kind: 'string', text: m[2].replace(/\\"/g, '"') });
    else if (m[3] !== undefined) tokens.push({ kind: 'number', text: m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: 'op', text: m[4] });
    else if (m[5] !== undefined) tokens.push({ kind: 'word', text: m[5] });
    else tokens.push({ kind: m[6] !== undefined ? '(' : ')', text: m[6] ?? ')' });
  }
  return tokens;
}

function select(event: unknown, selector: string): { found: boolean; value: unknown } {
  let value: unknown = event;
  for (const part of selector.slice(1).match(/\.[\w-]+|\[\d+\]/g) ?? []) {
    if (value === null || typeof value !== 'object') return { found: false, value: undefined };
    const key = part.startsWith('.') ? part.slice(1) : Number(part.slice(1, -1));
    if (!(key in (value as Record<string | number, unknown>))) return { found: false, value: undefined };
    value = (value as Record<string | number, unknown>)[key];
  }
  return { found: true, value };
}

function parseJsonCondition(text: string): Condition {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = (): Token => {
    const token = tokens[pos++];
    if (token === undefined) throw new FilterPatternError(`the filter pattern { ${text.trim()} } ends too early`);
    return token;
  };
  const comparison = (): Condition => {
    if (peek()?.kind === '(') {
      next();
      const inner = or();
      if (peek()?.kind !== ')') throw new FilterPatternError(`a "(" in { ${text.trim()} } is not closed`);
      next();
      return inner;
    }
    const selector = next();
    if (selector.kind !== 'selector')
      throw new FilterPatternError(`expected a $.selector in { ${text.trim()} }, got "${selector.text}"`);
    const op = next();
    if (op.kind === 'word' && (op.text === 'IS' || op.text === 'NOT')) {
      const what = next().text;
      if (op.text === 'NOT' && what === 'EXISTS') return (e) => !select(e, selector.text).found;
      if (op.text === 'IS' && what === 'NULL') return (e) => select(e, selector.text).value === null;
      if (op.text === 'IS' && (what === 'TRUE' || what === 'FALSE'))
        return (e) => select(e, selector.text).value === (what === 'TRUE');
      throw new FilterPatternError(`"${op.text} ${what}" is not IS NULL, NOT EXISTS, IS TRUE or IS FALSE`);
    }
    if (op.kind !== 'op' || op.text === '&&' || op.text === '||')
      throw new FilterPatternError(`expected a comparison after ${selector.text}, got "${op.text}"`);
    const operand = next();
    return compare(selector.text, op.text, operand);
  };
  const and = (): Condition => {
    const parts = [comparison()];
    while (peek()?.text === '&&') {
      next();
      parts.push(comparison());
    }
    return (e) => parts.every((p) => p(e));
  };
  const or = (): Condition => {
    const parts = [and()];
    while (peek()?.text === '||') {
      next();
      parts.push(and());
    }
    return (e) => parts.some((p) => p(e));
  };
  const condition = or();
  if (pos < tokens.length) throw new FilterPatternError(`unexpected "${tokens[pos]?.text}" in { ${text.trim()} }`);
  return condition;
}

function compare(selector: string, op: string, operand: Token): Condition {
  if (operand.kind === 'number') {
    const target = Number(operand.text);
    const test = {
      '=': (v: number) => v === target,
      '!=': (v: number) => v !== target,
      '<': (v: number) => v < target,
      '>': (v: number) => v > target,
      '<=': (v: number) => v <= target,
      '>=': (v: number) => v >= target,
    }[op];
    if (test === undefined) throw new FilterPatternError(`"${op}" does not compare numbers`);
    return (e) => {
      const { value } = select(e, selector);
      return typeof value === 'number' && test(value);
    };
  }
  if (op !== '=' && op !== '!=') throw new FilterPatternError(`strings compare with = or != only, not "${op}"`);
  // A string (quoted, or a bare word) may hold * wildcards.
  const source = operand.text
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`);
  return (e) => {
    const { found, value } = select(e, selector);
    const matches = found && value !== null && typeof value !== 'object' && regex.test(String(value));
    return op === '=' ? matches : found && !matches;
  };
}
