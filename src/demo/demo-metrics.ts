import { PrometheusRegistry, type Counter, type Histogram } from './prometheus-registry.js';

// Seconds; fine enough below 10 ms, where a healthy loopback platform answers.
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export type Traffic = 'shadow' | 'production';

export interface RequestRecord {
  service: string;
  route: string;
  method: string;
  /** HTTP status, or `reset` when the connection was dropped before an answer. */
  code: string;
  traffic: Traffic;
  seconds: number;
}

/** The platform's metrics, one registry for all its servers (they share a process). */
export class DemoMetrics {
  readonly registry = new PrometheusRegistry();
  readonly #requests: Counter;
  readonly #duration: Histogram;

  constructor() {
    this.#requests = this.registry.counter('live_assure_demo_requests_total', 'Requests answered, by service, route, method, status code and traffic (shadow or production).');
    this.#duration = this.registry.histogram('live_assure_demo_request_duration_seconds', 'Time from request to response, by service, route and traffic.', LATENCY_BUCKETS);
  }

  record(request: RequestRecord): void {
    const { service, route, method, code, traffic } = request;
    this.#requests.inc({ service, route, method, code, traffic });
    this.#duration.observe({ service, route, traffic }, request.seconds);
  }

  requests(labels: Omit<RequestRecord, 'seconds'>): number {
    return this.#requests.value(labels);
  }
}
