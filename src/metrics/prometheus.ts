/** A Prometheus HTTP API client for instant queries and series, with a timeout: a slow or down Prometheus is an error, never a hang. */
export class PrometheusUnavailable extends Error {}

import type { Sample } from '../targets/metrics-spec.js';

export type { Sample };

export class Prometheus {
  constructor(private readonly url: string, private readonly timeoutMs = 5000) {}

  private async post<T>(path: string, body: URLSearchParams): Promise<T | undefined> {
    let res: Response;
    try {
      res = await fetch(`${this.url.replace(/\/$/, '')}${path}`, { method: 'POST', body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw new PrometheusUnavailable(`Prometheus at ${this.url} did not answer: ${e instanceof Error ? e.message : String(e)}`);
    }
    const json = (await res.json().catch(() => ({}))) as { status?: string; error?: string; data?: T };
    if (!res.ok || json.status !== 'success') throw new PrometheusUnavailable(`Prometheus at ${this.url} answered ${res.status}: ${json.error ?? 'no result'}`);
    return json.data;
  }

  async query(promql: string, at?: number): Promise<Sample[]> {
    const data = await this.post<{ result?: { metric: Record<string, string>; value: [number, string] }[] }>('/api/v1/query', new URLSearchParams({ query: promql, ...(at !== undefined ? { time: String(at) } : {}) }));
    return (data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** The label sets of the series a selector matches between two times (the series API). */
  async series(match: string, start: number, end: number): Promise<Record<string, string>[]> {
    return (await this.post<Record<string, string>[]>('/api/v1/series', new URLSearchParams({ 'match[]': match, start: String(start), end: String(end) }))) ?? [];
  }
}
