import { setTimeout as sleep } from 'node:timers/promises';
import { ExternalError } from '../errors.js';

export interface ConnectorStatus {
  name: string;
  connector: { state: string; worker_id?: string; trace?: string };
  tasks: Array<{ id: number; state: string; worker_id?: string; trace?: string }>;
  type?: string;
}

/**
 * A small Kafka Connect REST client. Connect answers 409 while its workers rebalance;
 * those calls are retried with backoff instead of failing the command.
 */
export class ConnectClient {
  constructor(
    readonly baseUrl: string,
    private readonly retryFor409Ms = 60_000,
  ) {}

  private async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const deadline = Date.now() + this.retryFor409Ms;
    let delay = 250;
    for (;;) {
      let res: Response;
      try {
        res = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (err) {
        throw new ExternalError(`cannot reach Kafka Connect at ${this.baseUrl}`, { cause: err, hint: 'start the stack with `oms up` (or check `oms status`)' });
      }
      const text = await res.text();
      const json = text ? safeJson(text) : null;
      if (res.status === 409 && Date.now() < deadline) {
        await sleep(delay);
        delay = Math.min(delay * 2, 2000);
        continue;
      }
      return { status: res.status, json };
    }
  }

  private fail(what: string, status: number, json: unknown): never {
    const message = (json as { message?: string } | null)?.message ?? JSON.stringify(json);
    throw new ExternalError(`Kafka Connect refused to ${what} (HTTP ${status})`, { details: String(message).split('\n').slice(0, 20) });
  }

  async plugins(): Promise<Array<{ class: string; type: string; version: string }>> {
    const { status, json } = await this.request('GET', '/connector-plugins');
    if (status !== 200) this.fail('list plugins', status, json);
    return json as Array<{ class: string; type: string; version: string }>;
  }

  /** The live config, or undefined when the connector does not exist. */
  async getConfig(name: string): Promise<Record<string, string> | undefined> {
    const { status, json } = await this.request('GET', `/connectors/${encodeURIComponent(name)}/config`);
    if (status === 404) return undefined;
    if (status !== 200) this.fail(`read ${name}`, status, json);
    return json as Record<string, string>;
  }

  /** Creates or updates (PUT is idempotent). */
  async putConfig(name: string, config: Record<string, string>): Promise<'created' | 'updated'> {
    const { status, json } = await this.request('PUT', `/connectors/${encodeURIComponent(name)}/config`, config);
    if (status === 201) return 'created';
    if (status === 200) return 'updated';
    this.fail(`accept ${name}`, status, json);
  }

  async status(name: string): Promise<ConnectorStatus | undefined> {
    const { status, json } = await this.request('GET', `/connectors/${encodeURIComponent(name)}/status`);
    if (status === 404) return undefined;
    if (status !== 200) this.fail(`report the status of ${name}`, status, json);
    return json as ConnectorStatus;
  }

  /** Restarts only the failed instances of a connector and its tasks. */
  async restartFailed(name: string): Promise<void> {
    const { status, json } = await this.request('POST', `/connectors/${encodeURIComponent(name)}/restart?includeTasks=true&onlyFailed=true`);
    if (status !== 200 && status !== 202 && status !== 204) this.fail(`restart ${name}`, status, json);
  }

  async delete(name: string): Promise<void> {
    const { status, json } = await this.request('DELETE', `/connectors/${encodeURIComponent(name)}`);
    if (status !== 204 && status !== 404) this.fail(`delete ${name}`, status, json);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
