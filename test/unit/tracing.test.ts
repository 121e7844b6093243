import { describe, expect, it } from 'vitest';
import {
  mark,
  NO_TRACING,
  observers,
  traceCarrier,
  tracingWanted,
  xrayToTraceparent,
  type SettledMessage,
} from '../../src/core/tracing.js';
import { stageTimes } from '../../src/features/load/stages.js';

describe('tracing port', () => {
  it('converts an X-Ray header to a W3C traceparent', () => {
    expect(xrayToTraceparent('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1')).toBe(
      '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01',
    );
    expect(xrayToTraceparent('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0')).toMatch(/-00$/);
    expect(xrayToTraceparent('Root=1-5759e988-bd862e3fe1be46a994272793')).toBeUndefined();
    expect(xrayToTraceparent('Root=1-xyz;Parent=53995c3f42cd8ad8')).toBeUndefined();
  });

  it('continues the traceparent attribute before AWSTraceHeader', () => {
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const xray = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    expect(traceCarrier({ attributes: { traceparent: tp, tracestate: 'a=1' }, awsTraceHeader: xray })).toEqual({
      traceparent: tp,
      tracestate: 'a=1',
    });
    expect(traceCarrier({ attributes: {}, awsTraceHeader: xray }).traceparent).toBe(
      '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01',
    );
    expect(traceCarrier({ attributes: {} })).toEqual({});
  });

  it('is on by flag, SQSOPS_TRACE or an OTLP endpoint, and off by the OpenTelemetry switches', () => {
    expect(tracingWanted({})).toBe(false);
    expect(tracingWanted({}, true)).toBe(true);
    expect(tracingWanted({ SQSOPS_TRACE: 'true' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', SQSOPS_TRACE: 'false' })).toBe(false);
    expect(tracingWanted({ OTEL_SDK_DISABLED: 'true' }, true)).toBe(false);
    expect(tracingWanted({ OTEL_TRACES_EXPORTER: 'none', SQSOPS_TRACE: '1' })).toBe(false);
  });

  it('marks only messages being timed, and the no-op port produces no context', () => {
    const timed: { marks?: { stage: string }[] } = { marks: [] };
    const untimed: { marks?: { stage: string }[] } = {};
    mark([timed, untimed] as never, 'claim', performance.now());
    expect(timed.marks?.map((m) => m.stage)).toEqual(['claim']);
    expect(untimed.marks).toBeUndefined();
    expect(NO_TRACING.produce('q').carrier).toEqual({});
    expect(observers(undefined, undefined)).toBeUndefined();
  });

  it('splits a message into queue wait, claim, sinks and delete', () => {
    const t = performance.now();
    const m: SettledMessage = {
      messageId: 'm',
      queue: 'q',
      attributes: {},
      sentAtMs: performance.timeOrigin + t - 100,
      outcome: 'saved',
      counters: [],
      marks: [
        { stage: 'receive', start: t - 50, end: t },
        { stage: 'claim', start: t, end: t + 5 },
        { stage: 'sink s3', start: t + 5, end: t + 20 },
        { stage: 'sink mongodb', start: t + 5, end: t + 30 },
        { stage: 'delete', start: t + 30, end: t + 33 },
      ],
    };
    const s = stageTimes(m);
    expect(s.queue).toBeCloseTo(100, 0);
    expect(s.claim).toBeCloseTo(5);
    expect(s.sinks).toBeCloseTo(25);
    expect(s.delete).toBeCloseTo(3);
  });
});
