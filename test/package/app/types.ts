// Compiled by the package test with moduleResolution nodenext and node16: the published
// types of otelkit resolve from an installed tarball.
import { trace, traceBlock, getRequestId, start, registerHealthCheck, type StartOptions, type HealthCheck } from 'otelkit';

const options: StartOptions = { handleSignals: false, resourceAttributes: { team: 'payments' } };
const check: HealthCheck = async () => ({ status: 'ok' });
registerHealthCheck('typed', check, { critical: false });
const doubled: (n: number) => number = trace('double')((n: number) => n * 2);
void traceBlock('block', {}, () => doubled(2));
const id: string | undefined = getRequestId();
void start(options);
void id;
