/**
 * Work raced against a deadline: its value if it finishes in time, else word that it did not (the work itself goes
 * on; a Lambda function uses the answer to record why before its own timeout stops everything).
 */
export async function beforeDeadline<T>(
  work: Promise<T>,
  ms: number,
): Promise<{ readonly done: true; readonly value: T } | { readonly done: false }> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<{ readonly done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), Math.max(0, ms));
  });
  try {
    return await Promise.race([work.then((value) => ({ done: true as const, value })), expired]);
  } finally {
    clearTimeout(timer);
  }
}
