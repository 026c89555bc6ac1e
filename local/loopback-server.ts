import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** An HTTP server on loopback for the local runtime's endpoints; an unexpected error answers 500 and is logged. */
export class LoopbackServer {
  private server: Server | undefined;

  constructor(
    private readonly name: string,
    private readonly handler: RequestHandler,
  ) {}

  /** Listens on 127.0.0.1 (port 0 picks a free one) and returns the port. */
  async listen(port: number): Promise<number> {
    const server = createServer((req, res) => {
      this.handler(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Internal Server Error' }));
        console.error(`${this.name} error:`, error);
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The whole body of a request; undefined once it grows past `maxBytes` (the caller answers 413). */
export async function readBody(req: IncomingMessage, maxBytes = Number.POSITIVE_INFINITY): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
