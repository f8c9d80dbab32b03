/**
 * The admin route table as the service's: wraps a process's own router.
 *   - GET of an aggregated path (views.ts) on the leader, once another process joined:
 *     the service's answer; on a follower (mounted routes, monitoringHandler()): the
 *     leader's answer, or this process's own when the leader cannot be reached.
 *   - `?process=<pid or service.instance.id>` on any GET: that one process's own answer.
 *   - DELETE of a store on the leader: cleared in every process.
 * Everything else, and every path of a process alone, is the process's own router.
 */
import { jsonError, type ParsedRequest, type Reply, type Router } from '../server/router';
import { VIEWS, type ViewContext } from './views';
import type { Seat } from './seat';
import type { Clearable, Identity } from './snapshot';

const FORWARD_MS = 1500;
const PROCESS_MS = 1000;
const CLEARS: Readonly<Record<string, Clearable>> = {
  '/api/performance/apm': 'apm',
  '/api/performance/slow-queries': 'slow',
  '/api/performance/n-plus-one': 'n_plus_one',
  '/api/performance/errors': 'errors',
};

export interface ClusterRouting {
  readonly identity: Identity;
  readonly seat: () => Seat | undefined;
  readonly context: ViewContext;
}

export function createClusterRouter(local: Router, c: ClusterRouting): Router {
  return {
    paths: local.paths,
    budget: local.budget,
    matches: (path) => local.matches(path),
    async dispatch(req) {
      const path = req.path.length > 1 && req.path.endsWith('/') ? req.path.slice(0, -1) : req.path;
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const seat = c.seat();
      const target = req.query.get('process');
      if (target !== null && method === 'GET' && local.matches(path)) return oneProcess(local, c, seat, req, path, target);
      const view = VIEWS[path];
      if (view !== undefined && method === 'GET' && seat !== undefined) {
        if (seat.role === 'leader' && seat.leader?.aggregating) return view({ ...req, path, params: {} }, c.context);
        if (seat.role === 'follower' && seat.following !== undefined) {
          try {
            return await seat.following.forward({ path, query: req.query.toString() }, FORWARD_MS);
          } catch {
            // the leader is going: this process answers for itself
          }
        }
      }
      const reply = await local.dispatch(req);
      const part = CLEARS[path];
      if (part !== undefined && method === 'DELETE' && reply.status < 300 && seat?.role === 'leader') seat.leader?.clear(part);
      return reply;
    },
  };
}

async function oneProcess(local: Router, c: ClusterRouting, seat: Seat | undefined, req: Omit<ParsedRequest, 'params'>, path: string, target: string): Promise<Reply> {
  if (target.length > 100) return jsonError(400, 'bad_request', 'Query parameter process must be a pid or a service.instance.id.');
  const query = new URLSearchParams(req.query);
  query.delete('process');
  if (target === String(c.identity.pid) || target === c.identity.instance_id) return local.dispatch({ ...req, path, query });
  if (seat?.role === 'follower' && seat.following !== undefined) {
    return seat.following.forward({ path, query: req.query.toString() }, FORWARD_MS).catch(() => unavailable(target));
  }
  const member = seat?.role === 'leader' ? seat.leader?.find(target) : undefined;
  if (member === undefined) return jsonError(404, 'not_found', `No live process ${JSON.stringify(target)} in this service (see processes in /api/metrics).`);
  try {
    return (await seat!.leader!.route(member, { path, query: query.toString() }, PROCESS_MS)) as Reply;
  } catch {
    return unavailable(target);
  }
}

function unavailable(target: string): Reply {
  return jsonError(504, 'process_unavailable', `Process ${JSON.stringify(target)} did not answer in time.`);
}
