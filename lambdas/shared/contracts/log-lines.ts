/** Where record lines go: stdout, which Lambda sends to the function's log group as one event per line. */
export type LineWriter = (line: string) => void;

/**
 * Writes past the logger on purpose: capture and feedback records are their own JSON documents (a subscription
 * filter picks them out of the log group), not log entries with a level and a message.
 */
export const stdoutLines: LineWriter = (line) => {
  process.stdout.write(`${line}\n`);
};
