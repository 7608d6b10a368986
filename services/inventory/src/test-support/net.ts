import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Serves `app` on a free port of 127.0.0.1 and returns its URL; the server joins `opened`, for the caller to close. */
export async function listen(app: RequestListener, opened: Server[]): Promise<string> {
  const server = createHttpServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  opened.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
