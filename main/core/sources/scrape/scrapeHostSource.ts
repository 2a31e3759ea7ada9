// A host watched through its node_exporter (and optionally a cAdvisor for
// its containers): scraped every interval, read by the text-format parser,
// mapped onto the agent's model (prometheus/hostObservation.ts). A scrape is
// never started while the previous one is still running; one that fails says
// why in the host's status (auth_failed for a refused login, offline for the
// rest) and the next interval tries again. The cAdvisor endpoint is
// optional: when it fails the host's own series still flow and its
// containers are left out of that sample, with a problem saying why.
import type { HostSource, SourceEvents } from '../../model/hostSource.js';
import type { HostObservation } from '../../model/observation.js';
import { observationFromSamples } from '../../prometheus/hostObservation.js';
import { ExpositionError, isOpenMetricsContentType, parseExposition, type ExpositionSample } from '../../prometheus/textFormat.js';
import { ScrapeError, scrapeOnce, type ScrapeRequest } from './scrapeClient.js';

export interface ScrapeCredentials {
  readonly bearerToken?: string;
  readonly basicAuth?: { readonly username: string; readonly password: string };
  readonly ca?: string;
}

export interface ScrapeHostOptions {
  readonly nodeExporterUrl: string;
  readonly cadvisorUrl?: string;
  readonly intervalMs: number;
  /** Resolved when the source starts (secrets, the CA file); a problem stops the source with that status. */
  readonly credentials: () => Promise<{ ok: true; value: ScrapeCredentials } | { ok: false; status: 'auth_failed' | 'offline'; message: string }>;
  /** Default: the interval, at least 1 s and at most 10 s (Prometheus's default scrape_timeout). */
  readonly timeoutMs?: number;
  /** Default 16 MiB; node_exporter serves ~60 KiB, cAdvisor on a host with hundreds of containers a few MiB. */
  readonly maxBytes?: number;
  readonly now?: () => number;
}

export const DEFAULT_SCRAPE_MAX_BYTES = 16 * 1024 * 1024;

export interface ScrapeResult {
  readonly samples: ExpositionSample[];
  readonly types: ReadonlyMap<string, string>;
  readonly problems: string[];
}

/** One scrape, parsed; throws ScrapeError (transport) or ExpositionError (not an exposition). */
export async function scrapeExposition(request: ScrapeRequest): Promise<ScrapeResult> {
  const response = await scrapeOnce(request);
  const parsed = parseExposition(response.text, { openMetrics: isOpenMetricsContentType(response.contentType) });
  const problems = parsed.problems.map((p) => `${request.url}: ${p}`);
  if (parsed.problemCount > parsed.problems.length) problems.push(`${request.url}: ${parsed.problemCount - parsed.problems.length} more problem(s)`);
  return { samples: parsed.samples, types: parsed.types, problems };
}

export function scrapeTimeoutMs(intervalMs: number): number {
  return Math.min(10_000, Math.max(1000, intervalMs));
}

export class ScrapeHostSource implements HostSource {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private credentials: ScrapeCredentials | undefined;

  constructor(private readonly options: ScrapeHostOptions) {}

  start(events: SourceEvents): void {
    if (this.timer || this.stopped) return;
    const tick = () => {
      if (this.stopped || this.running) return;
      this.running = this.scrape(events).finally(() => (this.running = undefined));
    };
    this.timer = setInterval(tick, this.options.intervalMs);
    this.timer.unref?.();
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private request(url: string, credentials: ScrapeCredentials): ScrapeRequest {
    return {
      url,
      timeoutMs: this.options.timeoutMs ?? scrapeTimeoutMs(this.options.intervalMs),
      maxBytes: this.options.maxBytes ?? DEFAULT_SCRAPE_MAX_BYTES,
      ...credentials,
    };
  }

  private async scrape(events: SourceEvents): Promise<void> {
    if (!this.credentials) {
      const resolved = await this.options.credentials();
      if (this.stopped) return;
      if (!resolved.ok) {
        events.status(resolved.status, resolved.message);
        return;
      }
      this.credentials = resolved.value;
    }
    const t = (this.options.now ?? Date.now)();
    const credentials = this.credentials;
    const [node, cadvisor] = await Promise.allSettled([
      scrapeExposition(this.request(this.options.nodeExporterUrl, credentials)),
      this.options.cadvisorUrl ? scrapeExposition(this.request(this.options.cadvisorUrl, credentials)) : Promise.resolve(undefined),
    ]);
    if (this.stopped) return;
    if (node.status === 'rejected') {
      const err = node.reason as Error;
      if (err instanceof ScrapeError) events.status(err.kind === 'auth' ? 'auth_failed' : 'offline', err.message);
      else if (err instanceof ExpositionError) events.status('agent_error', `${this.options.nodeExporterUrl}: ${err.message}`);
      else events.status('offline', `${this.options.nodeExporterUrl}: ${err.message}`);
      return;
    }
    const problems = [...node.value.problems];
    const samples: ExpositionSample[] = node.value.samples;
    let all: readonly ExpositionSample[] = samples;
    if (cadvisor.status === 'fulfilled' && cadvisor.value) all = [...samples, ...cadvisor.value.samples.filter((s) => s.name.startsWith('container_'))];
    else if (cadvisor.status === 'rejected') problems.push(`cAdvisor: ${(cadvisor.reason as Error).message}`);
    const observation: HostObservation = observationFromSamples(all, { t, types: node.value.types, problems });
    events.observation(observation);
  }
}
