/**
 * The status page's document: semantic sections and tables whose bodies the script
 * fills. Everything shown comes from the JSON endpoints; nothing here is data.
 */
import { CLEARABLE } from './endpoints';

function clearButton(key: keyof typeof CLEARABLE): string {
  const { path, what } = CLEARABLE[key];
  return `<button type="button" class="clear" data-clear="${path}" data-what="${what}">Clear ${what}</button>`;
}

/** A table in a keyboard-scrollable region; `columns` are header labels, numeric ones start with '#'. */
function table(id: string, caption: string, columns: readonly string[]): string {
  const heads = columns
    .map((c) => (c.startsWith('#') ? `<th scope="col" class="num">${c.slice(1)}</th>` : `<th scope="col">${c}</th>`))
    .join('');
  return `<div class="scroll" role="region" aria-labelledby="${id}-caption" tabindex="0">
<table id="${id}"><caption id="${id}-caption">${caption}</caption>
<thead><tr>${heads}</tr></thead><tbody><tr><td colspan="${columns.length}" class="empty">Loading…</td></tr></tbody></table></div>`;
}

const SECTIONS: ReadonlyArray<[string, string]> = [
  ['service', 'Service'],
  ['routes', 'Routes'],
  ['errors', 'Recent errors'],
  ['operations', 'Slowest operations'],
  ['slow-queries', 'Slow queries'],
  ['n-plus-one', 'N+1 queries'],
  ['health', 'Health'],
];

export const BODY: string = `<a class="skip" href="#main">Skip to content</a>
<header>
<div class="title"><h1><span id="service-name">otelkit</span> <span id="overall" class="badge">…</span></h1>
<p id="poll-status" role="status" aria-live="polite">Loading…</p></div>
<form class="controls" id="controls">
<button type="button" id="pause" aria-pressed="false">Pause updates</button>
<label for="token">Admin token <span class="hint">(only to clear; kept in this tab only)</span></label>
<input id="token" type="password" autocomplete="off" spellcheck="false" size="18">
</form>
<nav aria-label="Sections"><ul>${SECTIONS.map(([id, label]) => `<li><a href="#${id}">${label}</a></li>`).join('')}</ul></nav>
</header>
<main id="main">
<section id="service" aria-labelledby="service-h"><h2 id="service-h">Service</h2>
<dl id="facts" class="facts"></dl></section>

<section id="routes" aria-labelledby="routes-h"><h2 id="routes-h">Routes</h2>
${table('routes-table', 'HTTP server routes (route templates): counts and latency since the statistics were last cleared; rate over the last poll', ['Route', '#Requests', '#Rate', '#Errors', '#p50', '#p95', '#p99', 'Rate, last 5 min'])}
</section>

<section id="errors" aria-labelledby="errors-h"><div class="section-head"><h2 id="errors-h">Recent errors</h2>${clearButton('errors')}</div>
${table('errors-table', 'Failed requests and exceptions grouped by type and top stack frame, most recent first', ['Error', 'Where', '#Count', 'First seen', 'Last seen', 'Request id', 'Trace id'])}
</section>

<section id="operations" aria-labelledby="operations-h"><div class="section-head"><h2 id="operations-h">Slowest operations</h2>${clearButton('apm')}</div>
${table('operations-table', 'APM operations with the highest p95 latency', ['Operation', 'Kind', '#Count', '#Avg', '#p95', '#p99', '#Max', '#Errors'])}
</section>

<section id="slow-queries" aria-labelledby="slow-queries-h"><div class="section-head"><h2 id="slow-queries-h">Slow queries</h2>${clearButton('slow')}</div>
${table('slow-table', 'Slow queries by statement shape', ['Statement', '#Count', '#Avg', '#p95', '#Max', 'Last seen', 'Request id'])}
</section>

<section id="n-plus-one" aria-labelledby="n-plus-one-h"><div class="section-head"><h2 id="n-plus-one-h">N+1 queries</h2>${clearButton('nPlusOne')}</div>
${table('n-plus-one-table', 'Requests that ran one statement shape many times, by route and statement', ['Route', 'Statement', '#Requests', '#Most times', '#Total, latest', 'Latest request id', 'Last seen'])}
</section>

<section id="health" aria-labelledby="health-h"><h2 id="health-h">Health</h2>
${table('checks-table', 'Health checks', ['Check', 'Status', '#Latency', 'Details'])}
${table('breakers-table', 'Circuit breakers', ['Breaker', 'State', '#Failures', '#Successes', '#Rejects', '#Fallbacks'])}
${table('retries-table', 'Retries', ['Operation', '#Attempts', '#Retries', '#Exhausted'])}
</section>
</main>
<footer><p>Served by otelkit. The same figures are JSON under <code>api/</code> next to this page; this page polls them every few seconds while it is visible.</p></footer>`;
