/**
 * Client script, part 3: the polling loop (every POLL_MS while the tab is visible, one
 * round at a time, paused when hidden or on request), the per-route rate history kept in
 * memory, and clearing stores with the admin token — which lives in this closure only:
 * never in storage, a cookie or the URL.
 */
export const CLIENT_POLL: string = `
var MAX_TRACKED = 200;
var history = new Map();
var token = '';
var paused = false;
var timer = 0;
var busy = false;
var again = false;
var note = '';
var flash = '';

/** Per-route request rates from the APM counts between two polls. */
function track(apm, now) {
  var ops = apm && apm.operations ? apm.operations : [];
  var seen = new Set();
  var since = apm ? Date.parse(apm.since) : NaN;
  ops.forEach(function (o) {
    if (o.kind !== 'server') return;
    seen.add(o.operation);
    var t = history.get(o.operation);
    if (!t) {
      if (history.size >= MAX_TRACKED) return;
      var elapsed = (now - since) / 1000;
      t = { count: o.count, at: now, rate: elapsed >= 1 ? o.count / elapsed : null, rates: [] };
      if (t.rate !== null) t.rates.push(t.rate);
      history.set(o.operation, t);
      return;
    }
    var dt = (now - t.at) / 1000;
    var delta = o.count >= t.count ? o.count - t.count : o.count;
    t.rate = dt > 0 ? delta / dt : 0;
    t.count = o.count;
    t.at = now;
    t.rates.push(t.rate);
    if (t.rates.length > HISTORY) t.rates.shift();
  });
  history.forEach(function (_, key) { if (!seen.has(key)) history.delete(key); });
}

function getJson(path) {
  return fetch(BASE + path, { cache: 'no-store', headers: { accept: 'application/json' } }).then(function (res) {
    if (!res.ok && res.status !== 503) throw new Error(path + ': HTTP ' + res.status);
    return res.json();
  });
}

function guarded(fn) {
  try { fn(); } catch (err) { note = 'A section failed to render: ' + (err && err.message); }
}

function poll() {
  if (busy) return;
  busy = true;
  clearTimeout(timer);
  var keys = Object.keys(POLLED);
  Promise.allSettled(keys.map(function (k) { return getJson(POLLED[k]); })).then(function (results) {
    var d = {};
    var failed = [];
    results.forEach(function (r, i) {
      if (r.status === 'fulfilled') d[keys[i]] = r.value;
      else failed.push(POLLED[keys[i]].split('?')[0]);
    });
    note = '';
    track(d.apm, Date.now());
    guarded(function () { renderService(d.health, d.metrics, d.detailed); });
    guarded(function () { renderRoutes(d.apm, history); });
    guarded(function () { renderErrors(d.errors); });
    guarded(function () { renderOperations(d.apm); });
    guarded(function () { renderSlowQueries(d.slow); });
    guarded(function () { renderNPlusOne(d.nPlusOne); });
    guarded(function () { renderHealth(d.detailed, d.resilience); });
    var text = 'Updated ' + new Date().toLocaleTimeString() + (paused ? ' · updates paused' : ' · every ' + POLL_MS / 1000 + ' s while visible');
    if (failed.length) text += ' · not answering: ' + failed.join(', ');
    if (note) text += ' · ' + note;
    if (flash) text = flash + ' ' + text;
    flash = '';
    say(text);
  }).finally(function () {
    busy = false;
    if (again) { again = false; poll(); } else schedule();
  });
}

/** Polls now, or right after the round under way. */
function pollSoon() {
  if (busy) again = true;
  else poll();
}

function schedule() {
  clearTimeout(timer);
  if (!paused && !document.hidden) timer = setTimeout(poll, POLL_MS);
}

function say(text) { document.getElementById('poll-status').textContent = text; }

function clearStore(button) {
  var what = button.getAttribute('data-what');
  var headers = token ? { authorization: 'Bearer ' + token } : {};
  button.disabled = true;
  fetch(BASE + button.getAttribute('data-clear'), { method: 'DELETE', headers: headers, cache: 'no-store' }).then(function (res) {
    if (res.status === 204) return 'Cleared ' + what + '.';
    return res.json().then(function (j) { return j && j.message; }, function () { return ''; }).then(function (m) {
      return 'Could not clear ' + what + ' (HTTP ' + res.status + ')' + (m ? ': ' + m : '') + (res.status === 401 || res.status === 403 ? ' Enter the admin token above.' : '');
    });
  }, function (err) {
    return 'Could not clear ' + what + ': ' + (err && err.message);
  }).then(function (message) {
    button.disabled = false;
    flash = message;
    say(message);
    pollSoon();
  });
}

document.getElementById('controls').addEventListener('submit', function (ev) { ev.preventDefault(); });
document.getElementById('token').addEventListener('input', function (ev) { token = ev.target.value; });
document.getElementById('pause').addEventListener('click', function (ev) {
  paused = !paused;
  ev.target.setAttribute('aria-pressed', String(paused));
  ev.target.textContent = paused ? 'Resume updates' : 'Pause updates';
  if (paused) { clearTimeout(timer); say('Updates paused.'); } else pollSoon();
});
document.addEventListener('click', function (ev) {
  var button = ev.target.closest && ev.target.closest('button[data-clear]');
  if (button) clearStore(button);
});
document.addEventListener('visibilitychange', function () {
  if (document.hidden) clearTimeout(timer);
  else if (!paused) pollSoon();
});
poll();
`;
