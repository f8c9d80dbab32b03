/** The status page's style sheet: light and dark (prefers-color-scheme), no external font. */
export const STYLE: string = `
:root { color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa; --accent: #0757c2;
  --ok: #116329; --ok-bg: #dafbe1; --warn: #7d4e00; --warn-bg: #fff8c5; --down: #a40e26; --down-bg: #ffebe9; }
@media (prefers-color-scheme: dark) { :root {
  --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #3d444d; --panel: #151b23; --accent: #64a8ff;
  --ok: #56d364; --ok-bg: #0f2a17; --warn: #e3b341; --warn-bg: #2e2409; --down: #ff8182; --down-bg: #3a1114; } }
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; background: var(--bg); padding: 6px 10px; }
.skip:focus { left: 8px; z-index: 1; }
header { padding: 12px 20px 0; border-bottom: 1px solid var(--line); background: var(--panel); }
header .title { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 16px; margin: 0 0 8px; }
#poll-status { margin: 0; color: var(--muted); }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 8px 0; }
.hint { color: var(--muted); font-weight: normal; }
input, button { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 3px 8px; }
button { cursor: pointer; }
button:hover { border-color: var(--accent); }
button[aria-pressed="true"] { background: var(--warn-bg); }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 0; padding: 4px 0 10px; }
main { padding: 8px 20px 20px; }
section { margin: 18px 0 26px; }
.section-head { display: flex; align-items: baseline; gap: 12px; }
.section-head h2 { margin-bottom: 8px; }
.clear { font-size: 12px; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px; margin: 0; }
.facts div { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; background: var(--panel); }
.facts dt { color: var(--muted); font-size: 12px; }
.facts dd { margin: 0; font-size: 15px; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; margin-bottom: 14px; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; color: var(--muted); padding: 0 0 4px; caption-side: top; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; white-space: nowrap; background: var(--panel); }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
time { white-space: nowrap; }
td.empty { color: var(--muted); font-style: italic; }
td code { overflow-wrap: anywhere; }
.stmt { max-width: 48em; }
.sub { display: block; color: var(--muted); font-size: 12px; }
.badge { display: inline-block; white-space: nowrap; font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; border: 1px solid currentColor; }
.s-ok { color: var(--ok); background: var(--ok-bg); }
.s-warn { color: var(--warn); background: var(--warn-bg); }
.s-down { color: var(--down); background: var(--down-bg); }
.s-none { color: var(--muted); }
.spark { display: block; color: var(--accent); }
.spark polyline { fill: none; stroke: currentColor; stroke-width: 1.5; stroke-linejoin: round; }
.spark line { stroke: var(--line); stroke-width: 1; }
.spark circle { fill: currentColor; }
footer { padding: 0 20px 20px; color: var(--muted); }
`;
