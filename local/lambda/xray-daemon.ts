import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** The X-Ray daemon's UDP framing: a JSON header line, then one segment or subsegment document. */
const HEADER = '{"format":"json","version":1}';

/**
 * Stands in for the X-Ray daemon Lambda runs beside a traced function: it receives the segment documents the X-Ray
 * SDK sends over UDP and appends them, one JSON line each, to a file (`.mlops/logs/xray-segments.jsonl`), so traces of
 * local runs can be read and tested. Malformed datagrams are dropped, as the daemon drops them.
 */
export class LocalXRayDaemon {
  private constructor(
    private readonly socket: Socket,
    /** `host:port`, the value of AWS_XRAY_DAEMON_ADDRESS for traced functions. */
    readonly address: string,
  ) {}

  static async start(file: string): Promise<LocalXRayDaemon> {
    mkdirSync(dirname(file), { recursive: true });
    const socket = createSocket('udp4');
    socket.on('message', (message) => {
      const text = message.toString('utf8');
      const newline = text.indexOf('\n');
      if (newline === -1 || text.slice(0, newline).replace(/\s/g, '') !== HEADER) return;
      const body = text.slice(newline + 1);
      try {
        JSON.parse(body);
      } catch {
        return;
      }
      appendFileSync(file, `${body.trim()}\n`);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new LocalXRayDaemon(socket, `127.0.0.1:${socket.address().port}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/**
 * The trace header Lambda gives a traced invocation in `_X_AMZN_TRACE_ID`: a new trace root (version 1, epoch seconds
 * in hex, 96 random bits), the parent id of the function's segment, and the sampling decision.
 */
export function newTraceHeader(now = Date.now()): string {
  const epoch = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`;
}
