/**
 * EventBridge event-pattern matching: exact values, prefix, suffix, anything-but, exists, numeric ranges,
 * equals-ignore-case and wildcard, nested objects, `$or` (a list of sub-patterns at one level, any of which must
 * match along with the level's other fields), and array fields (a match if any element matches). An operator
 * this does not know is an error, so a pattern is never silently treated as "matches".
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class UnsupportedPatternError extends Error {
  override readonly name = 'UnsupportedPatternError';
}

export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return false;
  const record = event as Record<string, Json>;
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or') {
      if (!Array.isArray(rule) || rule.some((r) => r === null || typeof r !== 'object' || Array.isArray(r))) {
        throw new UnsupportedPatternError('"$or" must be an array of patterns (objects)');
      }
      return rule.some((alternative) => matchesPattern(alternative as Record<string, unknown>, event));
    }
    if (Array.isArray(rule)) return matchesAny(rule, key in record ? record[key] : undefined, key in record);
    if (rule !== null && typeof rule === 'object') return matchesPattern(rule as Record<string, unknown>, record[key]);
    throw new UnsupportedPatternError(`pattern field "${key}" must be an array or an object`);
  });
}

function matchesAny(rules: unknown[], value: Json | undefined, present: boolean): boolean {
  const values: (Json | undefined)[] = Array.isArray(value) ? value : [value];
  return rules.some((rule) => {
    if (rule !== null && typeof rule === 'object') {
      const [[op, arg]] = Object.entries(rule as Record<string, unknown>) as [[string, unknown]];
      if (op === 'exists') return arg === present;
      return present && values.some((v) => matchesOperator(op, arg, v));
    }
    return present && values.some((v) => v === rule);
  });
}

function matchesOperator(op: string, arg: unknown, value: Json | undefined): boolean {
  switch (op) {
    case 'prefix':
      if (arg !== null && typeof arg === 'object') {
        const inner = (arg as { 'equals-ignore-case'?: string })['equals-ignore-case'];
        return (
          typeof value === 'string' && typeof inner === 'string' && value.toLowerCase().startsWith(inner.toLowerCase())
        );
      }
      return typeof value === 'string' && value.startsWith(String(arg));
    case 'suffix':
      return typeof value === 'string' && value.endsWith(String(arg));
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === String(arg).toLowerCase();
    case 'wildcard': {
      const regex = new RegExp(`^${String(arg).split('*').map(escapeRegex).join('.*')}$`);
      return typeof value === 'string' && regex.test(value);
    }
    case 'anything-but': {
      if (Array.isArray(arg)) return !arg.includes(value);
      if (arg !== null && typeof arg === 'object') {
        const prefix = (arg as { prefix?: string }).prefix;
        if (prefix !== undefined) return typeof value === 'string' && !value.startsWith(prefix);
        throw new UnsupportedPatternError(`anything-but ${JSON.stringify(arg)} is not supported locally`);
      }
      return value !== arg;
    }
    case 'numeric': {
      if (typeof value !== 'number' || !Array.isArray(arg)) return false;
      for (let i = 0; i < arg.length; i += 2) {
        const bound = Number(arg[i + 1]);
        const ok = {
          '<': value < bound,
          '<=': value <= bound,
          '>': value > bound,
          '>=': value >= bound,
          '=': value === bound,
        }[String(arg[i])];
        if (ok !== true) return false;
      }
      return true;
    }
    default:
      throw new UnsupportedPatternError(`the EventBridge operator "${op}" is not supported by the local runtime`);
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
