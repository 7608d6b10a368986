/**
 * A small Kafka Connect REST client over the CLI's HTTP client. Connect answers 409 while
 * its workers rebalance; those calls are retried with backoff (the one retry helper) instead
 * of failing the command. Every answer is read through a zod schema.
 */
import { z } from 'zod';
import { ExternalError } from '../errors.js';
import { httpClient, type HttpClient, type HttpResponse, type Method, parseAnswer } from './http.js';
import { retry } from './retry.js';

const taskStatus = z.object({ id: z.number().int(), state: z.string(), worker_id: z.string().optional(), trace: z.string().optional() });

/** GET /connectors/:name/status */
export const connectorStatusSchema = z.object({
  name: z.string(),
  connector: z.object({ state: z.string(), worker_id: z.string().optional(), trace: z.string().optional() }),
  tasks: z.array(taskStatus),
  type: z.string().optional(),
});
export type ConnectorStatus = z.infer<typeof connectorStatusSchema>;

const configSchema = z.record(z.string(), z.string());
const pluginsSchema = z.array(z.object({ class: z.string(), type: z.string(), version: z.string().optional() }));

/** GET /connectors?expand=status&expand=info: every connector Connect knows, with status and config. */
export const expandedConnectorsSchema = z.record(
  z.string(),
  z.object({
    status: z.object({ connector: z.object({ state: z.string(), trace: z.string().optional() }), tasks: z.array(taskStatus), type: z.string().optional() }).optional(),
    info: z.object({ config: configSchema, type: z.string().optional() }).optional(),
  }),
);
export type ExpandedConnectors = z.infer<typeof expandedConnectorsSchema>;

/** How Connect explains a refusal. */
const errorAnswer = z.object({ message: z.string() });

/** Connect's answer while its workers rebalance; retried. */
class Rebalancing extends Error {
  constructor(readonly response: HttpResponse) {
    super(`Kafka Connect is rebalancing (HTTP ${response.status})`);
  }
}

/**
 * Whether an answer means "rebalancing, ask again": a 409, or the 500 a worker gives a read
 * made just before a rebalance it already expects ("Request cannot be completed because a
 * rebalance is expected"; seen on `oms up --brokers 3` in CI).
 */
export function isRebalancing(res: Pick<HttpResponse, 'status' | 'body'>): boolean {
  if (res.status === 409) return true;
  return res.status === 500 && /rebalance is expected/i.test(typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? ''));
}

export class ConnectClient {
  private readonly http: HttpClient;

  constructor(
    readonly baseUrl: string,
    private readonly retryFor409Ms = 60_000,
  ) {
    this.http = httpClient({ service: 'Kafka Connect', baseUrl, timeoutMs: 30_000, hint: 'start the stack with `oms up` (or check `oms status`)' });
  }

  /** One call; a rebalancing answer ({@link isRebalancing}) is repeated (250 ms doubling to 2 s) until `retryFor409Ms`, then returned as it is. */
  private async request(method: Method, path: string, body?: unknown): Promise<HttpResponse> {
    try {
      return await retry(
        async () => {
          const res = await this.http.send(method, path, body === undefined ? {} : { body });
          if (isRebalancing(res)) throw new Rebalancing(res);
          return res;
        },
        { timeoutMs: this.retryFor409Ms, minDelayMs: 250, maxDelayMs: 2000, shouldRetry: (err) => err instanceof Rebalancing },
      );
    } catch (err) {
      if (err instanceof Rebalancing) return err.response;
      throw err;
    }
  }

  private fail(what: string, res: HttpResponse): never {
    const said = errorAnswer.safeParse(res.body);
    const message = said.success ? said.data.message : typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
    throw new ExternalError(`Kafka Connect refused to ${what} (HTTP ${res.status})`, { details: message.split('\n').slice(0, 20) });
  }

  private parse<S extends z.ZodType>(schema: S, res: HttpResponse, what: string): z.infer<S> {
    return parseAnswer(schema, res.body, `Kafka Connect (${what})`);
  }

  async plugins(): Promise<z.infer<typeof pluginsSchema>> {
    const res = await this.request('GET', '/connector-plugins');
    if (res.status !== 200) this.fail('list plugins', res);
    return this.parse(pluginsSchema, res, 'GET /connector-plugins');
  }

  /** Every connector with its status and config (not only ours). */
  async expanded(): Promise<ExpandedConnectors> {
    const res = await this.request('GET', '/connectors?expand=status&expand=info');
    if (res.status !== 200) this.fail('list its connectors', res);
    return this.parse(expandedConnectorsSchema, res, 'GET /connectors');
  }

  /** The live config, or undefined when the connector does not exist. */
  async getConfig(name: string): Promise<Record<string, string> | undefined> {
    const res = await this.request('GET', `/connectors/${encodeURIComponent(name)}/config`);
    if (res.status === 404) return undefined;
    if (res.status !== 200) this.fail(`read ${name}`, res);
    return this.parse(configSchema, res, `config of ${name}`);
  }

  /** Creates or updates (PUT is idempotent). */
  async putConfig(name: string, config: Record<string, string>): Promise<'created' | 'updated'> {
    const res = await this.request('PUT', `/connectors/${encodeURIComponent(name)}/config`, config);
    if (res.status === 201) return 'created';
    if (res.status === 200) return 'updated';
    this.fail(`accept ${name}`, res);
  }

  async status(name: string): Promise<ConnectorStatus | undefined> {
    const res = await this.request('GET', `/connectors/${encodeURIComponent(name)}/status`);
    if (res.status === 404) return undefined;
    if (res.status !== 200) this.fail(`report the status of ${name}`, res);
    return this.parse(connectorStatusSchema, res, `status of ${name}`);
  }

  /** Restarts only the failed instances of a connector and its tasks. */
  async restartFailed(name: string): Promise<void> {
    if (!(await this.restart(name, { onlyFailed: true }))) throw new ExternalError(`Kafka Connect has no connector ${name} to restart (HTTP 404)`);
  }

  /**
   * Restarts a connector and its tasks (only the failed ones with `onlyFailed`). Resolves to
   * Connect's answer — the instances it restarts show RESTARTING — or undefined when Connect
   * has no such connector.
   */
  async restart(name: string, opts: { onlyFailed: boolean }): Promise<ConnectorStatus | undefined> {
    // An empty JSON body: without one the request carries a form content type, which Connect refuses (415).
    const res = await this.request('POST', `/connectors/${encodeURIComponent(name)}/restart?includeTasks=true&onlyFailed=${String(opts.onlyFailed)}`, {});
    if (res.status === 404) return undefined;
    if (res.status !== 200 && res.status !== 202 && res.status !== 204) this.fail(`restart ${name}`, res);
    // 204 carries no body (Connect's legacy answer): read the status the restart left instead.
    if (res.status === 204) return this.status(name);
    return this.parse(connectorStatusSchema, res, `restart of ${name}`);
  }

  async delete(name: string): Promise<void> {
    const res = await this.request('DELETE', `/connectors/${encodeURIComponent(name)}`);
    if (res.status !== 204 && res.status !== 404) this.fail(`delete ${name}`, res);
  }
}
