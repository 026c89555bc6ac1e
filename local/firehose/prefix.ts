import { randomBytes } from 'node:crypto';

/**
 * Amazon Data Firehose's custom S3 prefixes ("Understand custom prefixes for Amazon S3 objects"): `!{timestamp:…}`
 * (a Java DateTimeFormatter pattern, in UTC, of the time the record arrived), `!{firehose:random-string}` (11
 * characters), `!{firehose:error-output-type}` (error prefixes only) and `!{partitionKeyFromQuery:…}` (dynamic
 * partitioning). A prefix with no expression gets the default `yyyy/MM/dd/HH/` appended, as Firehose does.
 */
export class PrefixError extends Error {}

export interface PrefixContext {
  /** Arrival time, epoch ms. */
  readonly time: number;
  readonly partitionKeys?: Readonly<Record<string, string>>;
  readonly errorOutputType?: string;
  readonly random?: () => string;
}

const EXPRESSION = /!\{([a-zA-Z]+):([^}]*)\}/g;

export function renderPrefix(prefix: string | undefined, context: PrefixContext): string {
  const text = prefix ?? '';
  let sawExpression = false;
  const rendered = text.replace(EXPRESSION, (_whole, namespace: string, value: string) => {
    sawExpression = true;
    switch (namespace) {
      case 'timestamp':
        return formatUtc(value, context.time);
      case 'firehose':
        if (value === 'random-string') return (context.random ?? randomString)();
        if (value === 'error-output-type') {
          if (context.errorOutputType === undefined)
            throw new PrefixError('!{firehose:error-output-type} is only valid in an error output prefix');
          return context.errorOutputType;
        }
        throw new PrefixError(`!{firehose:${value}} is not a Firehose expression (random-string, error-output-type)`);
      case 'partitionKeyFromQuery': {
        const key = context.partitionKeys?.[value];
        if (key === undefined)
          throw new PrefixError(
            `the record has no partition key "${value}" (dynamic partitioning's query did not produce it)`,
          );
        return key;
      }
      default:
        throw new PrefixError(
          `!{${namespace}:…} is not a namespace the local Firehose supports (timestamp, firehose, partitionKeyFromQuery)`,
        );
    }
  });
  if (/!\{/.test(rendered.replace(EXPRESSION, '')))
    throw new PrefixError(`cannot read the expressions of the prefix "${text}"`);
  return sawExpression ? rendered : `${rendered}${formatUtc('yyyy/MM/dd/HH/', context.time)}`;
}

/** The object key Firehose writes: prefix, stream name, version, arrival time and a random id. */
export function objectKey(prefix: string, streamName: string, time: number, extension = ''): string {
  const stamp = formatUtc('yyyy-MM-dd-HH-mm-ss', time);
  return `${prefix}${streamName}-1-${stamp}-${crypto.randomUUID()}${extension}`;
}

/** The subset of java.time.format.DateTimeFormatter Firehose prefixes use: yyyy, yy, MM, dd, HH, mm, ss, 'literals'. */
export function formatUtc(pattern: string, time: number): string {
  const date = new Date(time);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const fields: Record<string, string> = {
    yyyy: String(date.getUTCFullYear()),
    yy: pad(date.getUTCFullYear() % 100),
    MM: pad(date.getUTCMonth() + 1),
    dd: pad(date.getUTCDate()),
    HH: pad(date.getUTCHours()),
    mm: pad(date.getUTCMinutes()),
    ss: pad(date.getUTCSeconds()),
  };
  let out = '';
  for (let i = 0; i < pattern.length;) {
    if (pattern[i] === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === -1) throw new PrefixError(`the quote in the date pattern "${pattern}" is never closed`);
      out += pattern.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    const token = ['yyyy', 'yy', 'MM', 'dd', 'HH', 'mm', 'ss'].find((t) => pattern.startsWith(t, i));
    if (token !== undefined) {
      out += fields[token];
      i += token.length;
    } else if (/[a-zA-Z]/.test(pattern[i] as string)) {
      throw new PrefixError(
        `"${pattern[i]}" in the date pattern "${pattern}" is not supported locally (yyyy, yy, MM, dd, HH, mm, ss)`,
      );
    } else {
      out += pattern[i];
      i += 1;
    }
  }
  return out;
}

function randomString(): string {
  return randomBytes(8).toString('base64url').slice(0, 11);
}
