// The console's own log. Lines go to stderr (stdout belongs to CLI output such
// as `overlook snapshot --format json`). Callers pass messages and plain
// fields; never secrets — the secret store never hands values to the logger.

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

function line(level: string, message: string, fields?: Record<string, unknown>): string {
  const extra = fields && Object.keys(fields).length ? ' ' + JSON.stringify(fields) : '';
  return `${new Date().toISOString()} ${level} ${message}${extra}\n`;
}

export function createStderrLogger(options: { quiet?: boolean } = {}): Logger {
  return {
    info: (m, f) => {
      if (!options.quiet) process.stderr.write(line('info', m, f));
    },
    warn: (m, f) => process.stderr.write(line('warn', m, f)),
    error: (m, f) => process.stderr.write(line('error', m, f)),
  };
}

/** A logger that keeps lines in memory, for tests that assert what was (not) logged. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m, f) => void lines.push(line('info', m, f)),
    warn: (m, f) => void lines.push(line('warn', m, f)),
    error: (m, f) => void lines.push(line('error', m, f)),
  };
}
