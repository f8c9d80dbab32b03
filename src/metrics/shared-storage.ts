/**
 * One storage for otelkit's request-duration histogram, however many readers there are.
 *
 * sdk-metrics keeps one storage per reader for an instrument that no view selects, so with
 * the Prometheus endpoint and OTLP export both on, every request's duration is hashed and
 * recorded twice. A view makes one storage that every reader collects from, each with its
 * own temporality. That is only the same data when every reader would have aggregated the
 * histogram alike (the default aggregation, the default cardinality limit) and the app
 * adds no views: one of its views could select the same instrument, and two views make two
 * streams.
 */
import { AggregationType, InstrumentType, type IMetricReader, type ViewOptions } from '@opentelemetry/sdk-metrics';

/** The default of sdk-metrics' readers and of a view that sets none. */
const DEFAULT_CARDINALITY_LIMIT = 2000;

export function sharedStorageViews(meterName: string, readers: readonly IMetricReader[], appViews: readonly ViewOptions[]): ViewOptions[] {
  if (readers.length < 2 || appViews.length > 0) return [];
  const alike = readers.every((reader) => reader.selectAggregation(InstrumentType.HISTOGRAM).type === AggregationType.DEFAULT
    && reader.selectCardinalityLimit(InstrumentType.HISTOGRAM) === DEFAULT_CARDINALITY_LIMIT);
  return alike ? [{ meterName, instrumentName: 'http.server.request.duration' }] : [];
}
