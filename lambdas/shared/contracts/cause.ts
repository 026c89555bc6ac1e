/**
 * Step Functions passes a Lambda error's Cause as JSON ({"errorMessage", "errorType", ...}); other errors (and the
 * local interpreter) pass plain text. Either way the person reading the run wants the message.
 */
export function causeMessage(cause: string | undefined): string {
  if (cause === undefined || cause === '') return 'no cause was given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // plain text
  }
  return cause;
}
