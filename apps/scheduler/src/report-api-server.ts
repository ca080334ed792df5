import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createReportApi, type DecisionService } from '@curfew/decisions';
import type { StoreDatabase } from '@curfew/store';

export interface ReportApiServerOptions {
  service: DecisionService;
  db: StoreDatabase;
  token: string;
  /** @defaultValue 127.0.0.1: reachable from this machine only, unless said otherwise. */
  host: string;
  /** 0: any free port. */
  port: number;
  log: (line: string) => void;
}

export interface ReportApiServer {
  /** `http://host:port`. */
  url: string;
  close(): Promise<void>;
}

/** Serves the report API next to the scheduler's decision service. */
export async function startReportApiServer(options: ReportApiServerOptions): Promise<ReportApiServer> {
  const server = createServer(createReportApi(options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  options.log(`curfew scheduler: report API on ${url}`);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
