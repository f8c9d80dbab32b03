/**
 * setRoute(): names the current request's route where no framework does (plain node:http,
 * a hand-written router), as frameworks do through OpenTelemetry's RPC metadata. The
 * template should have no ids in it: `/users/:id`, never `/users/42`.
 */
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';

/** Sets the route template of the request being handled; returns false outside a request. */
export function setRoute(route: string): boolean {
  if (typeof route !== 'string' || route === '' || route.length > 200) return false;
  const rpc = getRPCMetadata(context.active());
  if (rpc === undefined || rpc.type !== RPCType.HTTP) return false;
  rpc.route = route;
  return true;
}
