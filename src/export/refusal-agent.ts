/**
 * The HTTP agent of the OTLP/HTTP exporters (plain http endpoints): a refused connection is
 * not retried. Nothing listens on the collector's port, so nothing will be delivered, and
 * the exporters' retries (five, backing off over ten seconds, on timers that hold the
 * event loop) would only keep a finished batch job from exiting. The refused export fails
 * at once (reported once, like every export failure); later batches try again. Every other
 * network error and every retryable answer (429, 502, 503, 504) keeps the SDK's retries.
 */
import { Agent, type AgentOptions } from 'node:http';
import type { Socket } from 'node:net';

/** An error code the exporters do not retry, with the same meaning. */
export const REFUSED_CODE = 'ECONNREFUSED_NO_RETRY';

class RefusalAgent extends Agent {
  override createConnection(...args: Parameters<Agent['createConnection']>): ReturnType<Agent['createConnection']> {
    const socket = super.createConnection(...args) as Socket | undefined;
    socket?.prependListener('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') err.code = REFUSED_CODE;
    });
    return socket as ReturnType<Agent['createConnection']>;
  }
}

/** For `httpAgentOptions`: keep-alive connections, as the exporters' own default agent. */
export function refusalAgentFactory(options: AgentOptions = { keepAlive: true }): (protocol: string) => Agent {
  let agent: Agent | undefined;
  return () => (agent ??= new RefusalAgent(options));
}
