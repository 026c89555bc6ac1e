/**
 * EventBridge's input transformer ("Amazon EventBridge input transformation"): variables from JSON paths of the event
 * (`InputPathsMap`), placed in `InputTemplate` as `<name>`, with the predefined `aws.events.rule-arn`,
 * `aws.events.rule-name`, `aws.events.event.ingestion-time`, `aws.events.event` (the event without `detail`) and
 * `aws.events.event.json` (the whole event).
 *
 * In a JSON template a placeholder inside a string takes the value's text; outside a string it takes the value as
 * JSON (a string quoted, an object as is), and `null` where the path is absent. A template that is not JSON is
 * text, delivered as a string.
 */
export interface InputTransformer {
  readonly InputPathsMap?: Readonly<Record<string, string>>;
  readonly InputTemplate: string;
}

export interface TransformContext {
  readonly ruleName: string;
  readonly ruleArn: string;
  readonly ingestionTime: string;
}

/** Reads a path of the supported syntax: `$`, dot notation with dashes and underscores, array indexes. */
export function readPath(event: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new Error(`"${path}" is not a JSON path (it must start with $)`);
  const steps = [...path.slice(1).matchAll(/\.([A-Za-z0-9_\-/]+)|\[(\d+)\]/g)];
  if (steps.map((m) => m[0]).join('') !== path.slice(1))
    throw new Error(`the JSON path "${path}" uses syntax EventBridge does not support`);
  let value: unknown = event;
  for (const [, key, index] of steps) {
    if (value === null || typeof value !== 'object') return undefined;
    value = key !== undefined ? (value as Record<string, unknown>)[key] : (value as unknown[])[Number(index)];
  }
  return value;
}

export function transformInput(
  transformer: InputTransformer,
  event: Readonly<Record<string, unknown>>,
  context: TransformContext,
): unknown {
  const { detail: _detail, ...withoutDetail } = event;
  const variables = new Map<string, unknown>([
    ['aws.events.rule-arn', context.ruleArn],
    ['aws.events.rule-name', context.ruleName],
    ['aws.events.event.ingestion-time', context.ingestionTime],
    ['aws.events.event', withoutDetail],
    ['aws.events.event.json', event],
  ]);
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
    if (name.toLowerCase().startsWith('aws.'))
      throw new Error(`input path variable "${name}": names starting with "aws." are reserved`);
    variables.set(name, readPath(event, path));
  }
  const template = transformer.InputTemplate;
  const isJson = /^\s*[[{]/.test(template);
  const filled = fill(template, variables, isJson);
  if (!isJson) return filled;
  try {
    return JSON.parse(filled) as unknown;
  } catch (error) {
    throw new Error(`the input template did not produce valid JSON (${(error as Error).message}): ${filled}`, {
      cause: error,
    });
  }
}

/** Replaces each `<name>` placeholder, tracking whether it sits inside a JSON string. */
function fill(template: string, variables: ReadonlyMap<string, unknown>, json: boolean): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    if (c === '<') {
      const end = template.indexOf('>', i);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (variables.has(name)) {
        const value = variables.get(name);
        out += !json
          ? textOf(value)
          : inString
            ? JSON.stringify(textOf(value)).slice(1, -1)
            : JSON.stringify(value ?? null);
        i = end;
        continue;
      }
    }
    if (json && c === '"' && !isEscaped(template, i)) inString = !inString;
    out += c;
  }
  return out;
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isEscaped(text: string, at: number): boolean {
  let slashes = 0;
  for (let j = at - 1; j >= 0 && text[j] === '\\'; j--) slashes += 1;
  return slashes % 2 === 1;
}
