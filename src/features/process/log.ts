/**
 * The action log: one line per thing done to a message. JSON lines
 * `{trace_id, action, status, details, timestamp}` (a shape log tools index by field), or text.
 * Every line is redacted: a driver's error can quote its connection string.
 */
import { redact, redactDeep } from '../../core/redact.js';

export type LogFormat = 'json' | 'text' | 'off';

export type ActionLog = (traceId: string, action: string, status: 'ok' | 'skip' | 'error', details?: Record<string, unknown>) => void;

export function createActionLog(format: LogFormat, write: (line: string) => void): ActionLog {
  if (format === 'off') return () => undefined;
  if (format === 'json') {
    return (trace_id, action, status, details = {}) =>
      // Redacted value by value before serialising: the line stays valid JSON.
      write(JSON.stringify({ trace_id, action, status, details: redactDeep(details), timestamp: new Date().toISOString() }));
  }
  return (traceId, action, status, details = {}) => {
    const extra = Object.entries(details)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    write(redact(`${new Date().toISOString()} ${status.padEnd(5)} ${action} ${traceId}${extra ? ` ${extra}` : ''}`));
  };
}
