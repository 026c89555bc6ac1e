import type { AlarmState } from './alarm-evaluation.js';

/**
 * A composite alarm's `AlarmRule` (CloudWatch User Guide, "Create a composite alarm"): `ALARM(name)`, `OK(name)` and
 * `INSUFFICIENT_DATA(name)` (a name or ARN, quoted or bare), `TRUE`, `FALSE`, `AND`, `OR`, `NOT` and parentheses;
 * NOT binds tighter than AND, AND tighter than OR.
 */
export type AlarmRule =
  | { readonly kind: 'state'; readonly state: AlarmState; readonly alarm: string }
  | { readonly kind: 'constant'; readonly value: boolean }
  | { readonly kind: 'not'; readonly rule: AlarmRule }
  | { readonly kind: 'and' | 'or'; readonly rules: readonly AlarmRule[] };

export class AlarmRuleError extends Error {}

type Token = { readonly type: 'word' | 'string' | '(' | ')'; readonly text: string; readonly at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '(' || c === ')') {
      tokens.push({ type: c, text: c, at: i });
      i += 1;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end === -1) throw new AlarmRuleError(`the quote at character ${i + 1} is never closed`);
      tokens.push({ type: 'string', text: text.slice(i + 1, end), at: i });
      i = end + 1;
    } else {
      const word = /^[^\s()"]+/.exec(text.slice(i))?.[0] as string;
      tokens.push({ type: 'word', text: word, at: i });
      i += word.length;
    }
  }
  return tokens;
}

const STATES: Record<string, AlarmState> = { ALARM: 'ALARM', OK: 'OK', INSUFFICIENT_DATA: 'INSUFFICIENT_DATA' };

export function parseAlarmRule(text: string): AlarmRule {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (what: string): never => {
    const token = peek();
    throw new AlarmRuleError(
      `${what} ${token ? `at character ${token.at + 1} ("${token.text}")` : 'at the end'} of the rule "${text}"`,
    );
  };
  const expect = (type: Token['type']) =>
    peek()?.type === type ? (tokens[pos++] as Token) : fail(`expected "${type}"`);

  const primary = (): AlarmRule => {
    const token = peek() ?? fail('expected a condition');
    if (token.type === '(') {
      pos += 1;
      const inner = or();
      expect(')');
      return inner;
    }
    if (token.type === 'word' && (token.text === 'TRUE' || token.text === 'FALSE')) {
      pos += 1;
      return { kind: 'constant', value: token.text === 'TRUE' };
    }
    const state = token.type === 'word' ? STATES[token.text] : undefined;
    if (state === undefined) return fail('expected ALARM(…), OK(…), INSUFFICIENT_DATA(…), TRUE, FALSE, NOT or "("');
    pos += 1;
    expect('(');
    const name = peek();
    if (name === undefined || (name.type !== 'string' && name.type !== 'word') || name.text === '')
      return fail('expected an alarm name or ARN');
    pos += 1;
    expect(')');
    return { kind: 'state', state, alarm: name.text };
  };
  const not = (): AlarmRule => {
    if (peek()?.type === 'word' && peek()?.text === 'NOT') {
      pos += 1;
      return { kind: 'not', rule: not() };
    }
    return primary();
  };
  const chain = (operator: 'AND' | 'OR', next: () => AlarmRule): AlarmRule => {
    const rules = [next()];
    while (peek()?.type === 'word' && peek()?.text === operator) {
      pos += 1;
      rules.push(next());
    }
    return rules.length === 1 ? (rules[0] as AlarmRule) : { kind: operator === 'AND' ? 'and' : 'or', rules };
  };
  const and = () => chain('AND', not);
  const or = (): AlarmRule => chain('OR', and);

  const rule = or();
  if (pos < tokens.length) fail('unexpected');
  return rule;
}

/** Whether the rule holds, given each referenced alarm's state (looked up by the name or ARN the rule uses). */
export function evaluateAlarmRule(rule: AlarmRule, stateOf: (alarm: string) => AlarmState | undefined): boolean {
  switch (rule.kind) {
    case 'constant':
      return rule.value;
    case 'state': {
      const state = stateOf(rule.alarm);
      if (state === undefined) throw new AlarmRuleError(`the rule names an alarm that does not exist: ${rule.alarm}`);
      return state === rule.state;
    }
    case 'not':
      return !evaluateAlarmRule(rule.rule, stateOf);
    case 'and':
      return rule.rules.every((r) => evaluateAlarmRule(r, stateOf));
    case 'or':
      return rule.rules.some((r) => evaluateAlarmRule(r, stateOf));
  }
}

/** The alarms the rule names in a state that makes its condition true (CloudWatch's `triggeringAlarms`). */
export function triggeringAlarms(rule: AlarmRule, stateOf: (alarm: string) => AlarmState | undefined): string[] {
  switch (rule.kind) {
    case 'state':
      return stateOf(rule.alarm) === rule.state ? [rule.alarm] : [];
    case 'not':
    case 'constant':
      return [];
    case 'and':
    case 'or':
      return [...new Set(rule.rules.flatMap((r) => triggeringAlarms(r, stateOf)))];
  }
}
