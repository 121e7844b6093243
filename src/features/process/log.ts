/**
 * The action log: one line per thing done to a message. JSON lines
 * `{trace_id, action, status, details, timestamp}` (the seed Lambda's shape), or text.
 */
export type LogFormat = 'json' | 'text' | 'off';

export interface ActionLog {
  (traceId: string, action: string, status: 'ok' | 'skip' | 'error', details?: Record<string, unknown>): void;
}

export function createActionLog(format: LogFormat, write: (line: string) => void): ActionLog {
  if (format === 'off') return () => undefined;
  if (format === 'json') {
    return (trace_id, action, status, details = {}) =>
      write(JSON.stringify({ trace_id, action, status, details, timestamp: new Date().toISOString() }));
  }
  return (traceId, action, status, details = {}) => {
    const extra = Object.entries(details)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    write(`${new Date().toISOString()} ${status.padEnd(5)} ${action} ${traceId}${extra ? ` ${extra}` : ''}`);
  };
}
