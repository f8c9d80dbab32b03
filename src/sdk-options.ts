/**
 * The sampler and span limits of the tracer provider, from Config.
 *
 * Sampling decides what is exported, not what otelkit sees: every span is recorded (the
 * SDK's always-record sampler turns a "drop" into "record, do not sample"), so APM
 * statistics, slow queries and N+1 detection count every request whatever the ratio. And a
 * client's sampled flag in `traceparent` decides nothing by default — the trace id is kept,
 * the local sampler decides — so a client can neither hide its requests' queries from the
 * statistics nor force every span out past a ratio. OTELKIT_TRUST_CLIENT_SAMPLING=true
 * makes incoming decisions count, as the parentbased samplers of the specification do.
 */
import {
  AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler, createAlwaysRecordSampler, type Sampler, type SpanLimits,
} from '@opentelemetry/sdk-trace';
import type { Config } from './config';

export function buildSampler(config: Config): Sampler {
  return createAlwaysRecordSampler(headSampler(config));
}

function headSampler(config: Config): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(config.tracesSamplerArg);
  const parentBased = (root: Sampler) => new ParentBasedSampler(config.trustClientSampling
    ? { root }
    : { root, remoteParentSampled: root, remoteParentNotSampled: root });
  switch (config.tracesSampler) {
    case 'always_on': return new AlwaysOnSampler();
    case 'always_off': return new AlwaysOffSampler();
    case 'traceidratio': return ratio();
    case 'parentbased_always_off': return parentBased(new AlwaysOffSampler());
    case 'parentbased_traceidratio': return parentBased(ratio());
    default: return parentBased(new AlwaysOnSampler());
  }
}

/** OTEL_SPAN_* and OTEL_ATTRIBUTE_* limits; unset ones keep the SDK's defaults. */
export function spanLimits(config: Config): SpanLimits {
  const set = (n: number) => (n > 0 ? n : undefined);
  return {
    attributeCountLimit: set(config.spanAttributeCountLimit) ?? set(config.attributeCountLimit),
    attributeValueLengthLimit: set(config.spanAttributeValueLengthLimit) ?? set(config.attributeValueLengthLimit),
    eventCountLimit: set(config.spanEventCountLimit),
    linkCountLimit: set(config.spanLinkCountLimit),
  };
}
