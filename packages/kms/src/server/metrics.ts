/** Prometheus metrics in the text exposition format (0.0.4): counters, a latency histogram, gauges. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class Metrics {
  readonly #requests = new Map<string, number>();
  readonly #durations = new Map<string, Histogram>();
  readonly #gauges = new Map<string, { help: string; value: () => number }>();

  /** Records one API call: operation, result (`Success` or the exception name), seconds taken. */
  observe(operation: string, result: string, seconds: number): void {
    const key = `${operation}\0${result}`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    let h = this.#durations.get(operation);
    if (!h) this.#durations.set(operation, (h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) h.counts[i]++;
    h.sum += seconds;
    h.count++;
  }

  gauge(name: string, help: string, value: () => number): void {
    this.#gauges.set(name, { help, value });
  }

  render(): string {
    const lines: string[] = ['# HELP ekms_requests_total KMS API calls by operation and result.', '# TYPE ekms_requests_total counter'];
    for (const [key, n] of this.#requests) {
      const [operation, result] = key.split('\0');
      lines.push(`ekms_requests_total{operation="${escape(operation)}",result="${escape(result)}"} ${n}`);
    }
    lines.push('# HELP ekms_request_duration_seconds Time to answer a KMS API call.', '# TYPE ekms_request_duration_seconds histogram');
    for (const [operation, h] of this.#durations) {
      const op = escape(operation);
      BUCKETS.forEach((b, i) => lines.push(`ekms_request_duration_seconds_bucket{operation="${op}",le="${b}"} ${h.counts[i]}`));
      lines.push(`ekms_request_duration_seconds_bucket{operation="${op}",le="+Inf"} ${h.count}`);
      lines.push(`ekms_request_duration_seconds_sum{operation="${op}"} ${h.sum}`);
      lines.push(`ekms_request_duration_seconds_count{operation="${op}"} ${h.count}`);
    }
    for (const [name, g] of this.#gauges) lines.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${g.value()}`);
    return lines.join('\n') + '\n';
  }
}
