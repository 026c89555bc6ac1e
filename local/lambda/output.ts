import type { Readable } from 'node:stream';

/**
 * What a local container writes on stdout: the function's lines, which go to its log group, and after each
 * invocation's last line a marker (written by local/lambda/worker.mjs) telling that the invocation's output has all
 * been read — the host answers the invocation only then, so a line the function wrote is in the log group (and handed
 * to its subscriptions) before the caller hears back, as in Lambda.
 */
export const INVOCATION_END = '\u001emlops-invocation-end ';

/** Reads a container's stdout line by line: each line to `onLine`, each invocation's end marker to `onEnd`. */
export function readOutput(
  stream: Readable,
  onLine: (line: string) => void,
  onEnd: (invocationId: string) => void,
): void {
  stream.on(
    'data',
    lineSplitter((line) => (line.startsWith(INVOCATION_END) ? onEnd(line.slice(INVOCATION_END.length)) : onLine(line))),
  );
}

/** Calls `onLine` with each complete line of a stream's chunks (a line may span chunks). */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer | string) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line !== '') onLine(line);
  };
}
