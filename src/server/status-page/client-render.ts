/**
 * Client script, part 2: one renderer per section, each from the JSON of its endpoint
 * (the field names of docs/STATUS-PAGE.md and the endpoint table). A renderer gets
 * undefined when its endpoint did not answer.
 */
export const CLIENT_RENDER: string = `
function fact(label, value) { return h('div', null, [h('dt', { text: label }), h('dd', null, [value])]); }

function renderService(health, metrics, detailed) {
  var name = health && health.service ? health.service : 'otelkit';
  document.getElementById('service-name').textContent = name;
  document.title = name + ' · otelkit status';
  var overall = document.getElementById('overall');
  var status = detailed && detailed.status ? detailed.status : health ? 'ok' : 'unreachable';
  overall.replaceWith(Object.assign(statusBadge(status), { id: 'overall', title: 'overall health' }));
  var app = metrics && metrics.application || {};
  var proc = metrics && metrics.process || {};
  var sys = metrics && metrics.system || {};
  var heap = fmtBytes(proc.heap_used_bytes) + (isNum(proc.heap_limit_bytes) ? ' of ' + fmtBytes(proc.heap_limit_bytes) : '');
  document.getElementById('facts').replaceChildren(
    fact('Version', health && health.service_version || '—'),
    fact('Instance', code(health && health.service_instance_id)),
    fact('Uptime', fmtUptime(health && health.uptime_seconds)),
    fact('Node.js', proc.node_version ? 'v' + proc.node_version : '—'),
    fact('Process id', fmtInt(proc.pid)),
    fact('Process CPU', fmtPct(proc.cpu_percent)),
    fact('Resident memory', fmtBytes(proc.rss_bytes)),
    fact('Heap used', heap),
    fact('Event-loop delay p99', fmtMs(proc.event_loop_delay_p99_ms)),
    fact('Requests served', fmtInt(app.requests_total)),
    fact('Server errors (5xx)', isNum(app.error_rate) ? fmtPct(app.error_rate * 100) : '—'),
    fact('Machine CPU', fmtPct(sys.cpu_percent)),
    fact('Machine memory', sys.memory ? fmtPct(sys.memory.percent) + ' of ' + fmtBytes(sys.memory.total_bytes) : '—')
  );
}

function renderRoutes(apm, history) {
  var ops = apm && apm.operations ? apm.operations.filter(function (o) { return o.kind === 'server'; }) : [];
  ops.sort(function (a, b) { return b.count - a.count; });
  fill('routes-table', ops.slice(0, 100).map(function (o) {
    var t = history.get(o.operation);
    var rates = t ? t.rates : [];
    var label = 'Request rate of ' + o.operation + ' over the last ' + Math.round(rates.length * POLL_MS / 60000) + ' min, latest ' + fmtRate(t && t.rate);
    return h('tr', null, [
      cell(code(o.operation)),
      numCell(fmtInt(o.count)),
      numCell(fmtRate(t ? t.rate : null)),
      numCell(fmtInt(o.error_count) + ' (' + fmtPct(o.error_rate * 100) + ')'),
      numCell(fmtMs(o.p50_ms)),
      numCell(fmtMs(o.p95_ms)),
      numCell(fmtMs(o.p99_ms)),
      cell(sparkline(rates, label)),
    ]);
  }), apm ? 'No requests yet.' : 'APM statistics unavailable.');
}

function renderOperations(apm) {
  var ops = apm && apm.operations ? apm.operations.slice() : [];
  ops.sort(function (a, b) { return b.p95_ms - a.p95_ms; });
  fill('operations-table', ops.slice(0, 15).map(function (o) {
    return h('tr', null, [
      cell(code(o.operation)), cell(o.kind), numCell(fmtInt(o.count)), numCell(fmtMs(o.avg_ms)),
      numCell(fmtMs(o.p95_ms)), numCell(fmtMs(o.p99_ms)), numCell(fmtMs(o.max_ms)), numCell(fmtInt(o.error_count)),
    ]);
  }), apm ? 'No operations recorded yet.' : 'APM statistics unavailable.');
}

function renderSlowQueries(slow) {
  var rows = slow && slow.by_fingerprint ? slow.by_fingerprint : [];
  if (slow) document.getElementById('slow-table-caption').textContent = 'Database calls of ' + fmtMs(slow.threshold_ms) + ' or more, by statement shape (' + fmtInt(slow.total) + ' in all)';
  fill('slow-table', rows.slice(0, 25).map(function (q) {
    return h('tr', null, [
      cell(code(q.statement), 'stmt'), numCell(fmtInt(q.count)), numCell(fmtMs(q.avg_ms)), numCell(fmtMs(q.p95_ms)),
      numCell(fmtMs(q.max_ms)), cell(q.last_seen ? time(q.last_seen) : '—'), cell(code(q.request_id)),
    ]);
  }), slow ? 'No slow queries.' : 'Slow-query statistics unavailable.');
}

/** Detections (newest first) grouped by route and statement shape, the newest group first. */
function groupDetections(detections) {
  var groups = new Map();
  detections.forEach(function (d) {
    var key = d.route + '|' + d.fingerprint;
    var g = groups.get(key);
    if (!g) groups.set(key, g = { latest: d, requests: 0, most: 0 });
    g.requests++;
    g.most = Math.max(g.most, d.count);
  });
  return Array.from(groups.values());
}

function renderNPlusOne(n) {
  var rows = groupDetections(n && n.detections ? n.detections : []);
  if (n) document.getElementById('n-plus-one-table-caption').textContent = 'Requests that ran one statement shape ' + fmtInt(n.min_repeats)
    + ' or more times, by route and statement (the last ' + fmtInt(n.detections.length) + ' detections), most recent first';
  fill('n-plus-one-table', rows.map(function (g) {
    var d = g.latest;
    return h('tr', null, [
      cell(code(d.route)), cell(code(d.statement), 'stmt'), numCell(fmtInt(g.requests)), numCell(fmtInt(g.most)), numCell(fmtMs(d.total_ms)),
      cell(code(d.request_id)), cell(time(d.timestamp)),
    ]);
  }), n ? 'No N+1 patterns detected.' : 'N+1 detections unavailable.');
}

function renderErrors(e) {
  var rows = e && e.errors ? e.errors : [];
  fill('errors-table', rows.map(function (x) {
    return h('tr', null, [
      h('td', null, [h('strong', { text: x.type }), sub(x.message)]),
      h('td', null, [x.route ? code(x.route) : null, x.top_frame ? sub(x.top_frame) : null]),
      numCell(fmtInt(x.count)), cell(time(x.first_seen)), cell(time(x.last_seen)), cell(code(x.request_id)), cell(code(x.trace_id)),
    ]);
  }), e ? 'No errors recorded.' : 'The error store is unavailable.');
}

var CHECK_SKIP = { status: 1, latency_ms: 1, error: 1 };
var UNITS = [['_percent', fmtPct], ['_bytes', fmtBytes], ['_ms', fmtMs]];
/** One detail of a check as 'label: value', with the unit its name ends in. */
function detail(key, value) {
  var label = key;
  if (typeof value === 'number') {
    for (var i = 0; i < UNITS.length; i++) {
      var suffix = UNITS[i][0];
      if (key.endsWith(suffix)) { label = key.slice(0, -suffix.length); value = UNITS[i][1](value); break; }
    }
  }
  return label.split('_').join(' ') + ': ' + value;
}
function checkDetails(c) {
  if (c.error) return c.error;
  var parts = [];
  for (var k in c) {
    if (CHECK_SKIP[k]) continue;
    var v = c[k];
    if (Array.isArray(v)) v = v.join('; ');
    else if (v !== null && typeof v === 'object') continue;
    parts.push(detail(k, v));
  }
  return parts.join(', ').slice(0, 400);
}

function renderHealth(detailed, resilience) {
  var checks = detailed && detailed.checks ? Object.keys(detailed.checks) : [];
  fill('checks-table', checks.map(function (name) {
    var c = detailed.checks[name];
    return h('tr', null, [cell(name), cell(statusBadge(c.status)), numCell(fmtMs(c.latency_ms)), cell(checkDetails(c))]);
  }), detailed ? 'No checks.' : 'Detailed health unavailable.');
  var breakers = resilience && resilience.circuit_breakers || [];
  fill('breakers-table', breakers.map(function (b) {
    return h('tr', null, [cell(b.name), cell(statusBadge(b.state)), numCell(fmtInt(b.failures)), numCell(fmtInt(b.successes)), numCell(fmtInt(b.rejects)), numCell(fmtInt(b.fallbacks))]);
  }), 'No circuit breakers registered.');
  var retries = resilience && resilience.retries || [];
  fill('retries-table', retries.map(function (r) {
    return h('tr', null, [cell(r.name), numCell(fmtInt(r.attempts)), numCell(fmtInt(r.retries)), numCell(fmtInt(r.exhausted))]);
  }), 'No retries recorded.');
}
`;
