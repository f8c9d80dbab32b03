/**
 * A span processor whose members are plugged in after NodeSDK.start(): exporting
 * processors want the SDK's MeterProvider (to count what they drop or fail to send),
 * and NodeSDK only creates it while starting.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export class DeferredSpanProcessor implements SpanProcessor {
  private members: readonly SpanProcessor[] = [];

  set(members: readonly SpanProcessor[]): void {
    this.members = members;
  }

  onStart(span: Span, parentContext: Context): void {
    for (const m of this.members) m.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    for (const m of this.members) m.onEnd(span);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.members.map((m) => m.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.members.map((m) => m.shutdown()));
  }
}
