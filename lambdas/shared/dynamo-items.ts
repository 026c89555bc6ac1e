/**
 * Updates of the registry table's items name their fields through placeholders (field names may be reserved words).
 */

/** `SET #f0 = :v0, …` for the defined fields, with placeholder names (field names may be reserved words). */
export function setExpression(fields: Record<string, unknown>): { expression: string; names: Record<string, string>; values: Record<string, unknown> } {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:v${i}`] = value;
      return `#f${i} = :v${i}`;
    });
  return { expression: sets.length === 0 ? '' : `SET ${sets.join(', ')}`, names, values };
}
