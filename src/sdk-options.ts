/** The sampler and span limits of the tracer provider, from Config. */
import {
  AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler, type SpanLimits,
} from '@opentelemetry/sdk-trace';
import type { Config } from './config';

export function buildSampler(config: Config): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(config.tracesSamplerArg);
  switch (config.tracesSampler) {
    case 'always_on': return new AlwaysOnSampler();
    case 'always_off': return new AlwaysOffSampler();
    case 'traceidratio': return ratio();
    case 'parentbased_always_off': return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio': return new ParentBasedSampler({ root: ratio() });
    default: return new ParentBasedSampler({ root: new AlwaysOnSampler() });
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
