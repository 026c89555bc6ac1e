/** A machine definition's states by name, as the JSON has them. */
export type States = Record<string, Record<string, unknown>>;

/**
 * Rewrites every state of a definition — the top level's and those nested in Map (`ItemProcessor`, `Iterator`) and
 * Parallel (`Branches`) states — with `rewrite`, which answers the state to keep (a copy, or the state itself).
 */
export function rewriteStates(
  states: States,
  rewrite: (name: string, state: Record<string, unknown>) => Record<string, unknown>,
): States {
  return Object.fromEntries(
    Object.entries(states).map(([name, state]) => {
      const copy: Record<string, unknown> = { ...rewrite(name, state) };
      for (const key of ['ItemProcessor', 'Iterator'] as const) {
        const inner = state[key] as { States: States } | undefined;
        if (inner) copy[key] = { ...inner, States: rewriteStates(inner.States, rewrite) };
      }
      if (Array.isArray(state.Branches))
        copy.Branches = (state.Branches as { States: States }[]).map((b) => ({
          ...b,
          States: rewriteStates(b.States, rewrite),
        }));
      return [name, copy];
    }),
  );
}
