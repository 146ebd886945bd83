/** A Prometheus HTTP API client for instant queries, with a timeout: a slow or down Prometheus is an error, never a hang. */
export class PrometheusUnavailable extends Error {}

export interface Sample { readonly metric: Record<string, string>; readonly value: number }

export class Prometheus {
  constructor(private readonly url: string, private readonly timeoutMs = 5000) {}

  async query(promql: string, at?: number): Promise<Sample[]> {
    const body = new URLSearchParams({ query: promql, ...(at !== undefined ? { time: String(at) } : {}) });
    let res: Response;
    try {
      res = await fetch(`${this.url.replace(/\/$/, '')}/api/v1/query`, { method: 'POST', body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw new PrometheusUnavailable(`Prometheus at ${this.url} did not answer: ${e instanceof Error ? e.message : String(e)}`);
    }
    const json = (await res.json().catch(() => ({}))) as { status?: string; error?: string; data?: { resultType?: string; result?: { metric: Record<string, string>; value: [number, string] }[] } };
    if (!res.ok || json.status !== 'success') throw new PrometheusUnavailable(`Prometheus at ${this.url} answered ${res.status}: ${json.error ?? 'no result'}`);
    return (json.data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }
}
