/**
 * Client script, part 1: constants, formatting with units, DOM helpers and the sparkline.
 * Plain browser JavaScript in a string (no build step); it must not contain backticks or
 * template placeholders. Data is only ever put into the page as text (textContent),
 * never as markup.
 */
import { HISTORY_POINTS, POLL_INTERVAL_MS, POLLED } from './endpoints';

export const CLIENT_CORE: string = `
var POLL_MS = ${POLL_INTERVAL_MS};
var HISTORY = ${HISTORY_POINTS};
var POLLED = ${JSON.stringify(POLLED)};
var SVG = 'http://www.w3.org/2000/svg';
var BASE = location.pathname.endsWith('/') ? location.pathname : location.pathname + '/';

function isNum(v) { return typeof v === 'number' && isFinite(v); }
function fixed(v, digits) { return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }); }
function fmtInt(v) { return isNum(v) ? fixed(v, 0) : '—'; }
function fmtMs(v) {
  if (!isNum(v)) return '—';
  if (v >= 1000) return fixed(v / 1000, v >= 10000 ? 1 : 2) + ' s';
  return fixed(v, v >= 100 ? 0 : v >= 10 ? 1 : 2) + ' ms';
}
function fmtBytes(v) {
  if (!isNum(v)) return '—';
  var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  var i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return fixed(v, i === 0 || v >= 100 ? 0 : 1) + ' ' + units[i];
}
function fmtPct(v) { return isNum(v) ? fixed(v, v < 10 ? 2 : 1) + ' %' : '—'; }
function fmtRate(v) { return isNum(v) ? fixed(v, v >= 100 ? 0 : v >= 10 ? 1 : 2) + ' req/s' : '—'; }
function fmtUptime(s) {
  if (!isNum(s)) return '—';
  s = Math.floor(s);
  var d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60, sec = s % 60;
  if (d > 0) return d + ' d ' + h + ' h';
  if (h > 0) return h + ' h ' + m + ' min';
  if (m > 0) return m + ' min ' + sec + ' s';
  return sec + ' s';
}
function ago(ms) {
  var s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.floor(s / 60) + ' min ago';
  if (s < 86400) return Math.floor(s / 3600) + ' h ago';
  return Math.floor(s / 86400) + ' d ago';
}

/** An element; props: class, text, or attributes. Children: nodes or strings (as text). */
function h(tag, props, children) {
  var el = document.createElement(tag);
  if (props) {
    for (var k in props) {
      var v = props[k];
      if (v === null || v === undefined) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = String(v);
      else el.setAttribute(k, String(v));
    }
  }
  if (children) children.forEach(function (c) { if (c !== null && c !== undefined) el.append(c); });
  return el;
}
function cell(content, cls) { return h('td', { class: cls }, [content]); }
function numCell(text) { return h('td', { class: 'num' }, [text]); }
function code(text) { return text === null || text === undefined || text === '' ? '—' : h('code', { text: text }); }
function time(iso) {
  var ms = Date.parse(iso);
  if (!isFinite(ms)) return '—';
  var d = new Date(ms);
  return h('time', { datetime: d.toISOString(), title: d.toISOString() }, [d.toLocaleTimeString() + ' (' + ago(ms) + ')']);
}
function statusBadge(status) {
  var s = String(status || 'unknown');
  var cls = s === 'ok' || s === 'closed' ? 's-ok' : s === 'warn' || s === 'degraded' || s === 'half_open' ? 's-warn'
    : s === 'down' || s === 'open' || s === 'isolated' || s === 'shutdown' ? 's-down' : 's-none';
  return h('span', { class: 'badge ' + cls, text: s.replace('_', ' ') });
}
function sub(text) { return h('span', { class: 'sub', text: text }); }

/** Replaces a table's body; an empty list shows one row saying so. */
function fill(tableId, rows, emptyText) {
  var table = document.getElementById(tableId);
  var tbody = table.tBodies[0];
  if (rows.length === 0) {
    var cols = table.tHead.rows[0].cells.length;
    tbody.replaceChildren(h('tr', null, [h('td', { colspan: cols, class: 'empty', text: emptyText })]));
  } else {
    tbody.replaceChildren.apply(tbody, rows);
  }
}

/** An inline SVG line of the last HISTORY values, newest on the right. */
function sparkline(values, label) {
  var W = 120, H = 26;
  var svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('width', W);
  svg.setAttribute('height', H);
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  var title = document.createElementNS(SVG, 'title');
  title.textContent = label;
  svg.append(title);
  var base = document.createElementNS(SVG, 'line');
  base.setAttribute('x1', 0); base.setAttribute('x2', W); base.setAttribute('y1', H - 1); base.setAttribute('y2', H - 1);
  svg.append(base);
  if (values.length === 1) {
    var dot = document.createElementNS(SVG, 'circle');
    dot.setAttribute('cx', W - 2); dot.setAttribute('cy', H - 2 - (values[0] > 0 ? H - 4 : 0)); dot.setAttribute('r', 2);
    svg.append(dot);
  } else if (values.length > 1) {
    var max = Math.max.apply(null, values.concat([0])) || 1;
    var step = W / (HISTORY - 1);
    var pts = values.map(function (v, i) {
      var x = W - (values.length - 1 - i) * step;
      var y = H - 2 - (v / max) * (H - 4);
      return x.toFixed(1) + ',' + y.toFixed(1);
    });
    var line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', pts.join(' '));
    svg.append(line);
  }
  return svg;
}
`;
