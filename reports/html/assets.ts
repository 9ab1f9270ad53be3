/**
 * The report's inline CSS and JS, kept as TypeScript strings so `tsc` output carries them (no asset
 * files to locate at run time). The page works without the script; it only adds the raw-data download.
 */

export const CSS = `
:root { --fg:#1d2330; --muted:#5b6475; --line:#d9dee8; --bg:#ffffff; --panel:#f6f8fb; --accent:#2457c5;
  --same:#1f8a4c; --near:#b7791f; --far:#c53030; --vfar:#8b1d1d; --better:#2b6cb0; --pass:#1f8a4c; --warn:#b7791f; --fail:#c53030; --unknown:#6b7280; --skip:#9aa3b2; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif; color:var(--fg); background:var(--bg); }
header.top { padding:18px 28px 12px; border-bottom:1px solid var(--line); background:var(--panel); }
header.top h1 { margin:0 0 4px; font-size:22px; }
header.top .sub { color:var(--muted); }
nav.toc { padding:8px 28px; border-bottom:1px solid var(--line); font-size:13px; position:sticky; top:0; background:#fffffff0; z-index:2; }
nav.toc a { margin-right:14px; color:var(--accent); text-decoration:none; }
main { padding:8px 28px 40px; max-width:1400px; }
section { margin:22px 0 30px; }
h2 { font-size:18px; border-bottom:2px solid var(--line); padding-bottom:4px; }
h3 { font-size:15px; margin:18px 0 6px; }
/* Findings fit the page: fixed layout, long evidence wraps instead of pushing the fix column off-screen. */
table.findings { width:100%; table-layout:fixed; } table.findings td { overflow-wrap:anywhere; }
table.findings th:nth-child(1) { width:58px; } table.findings th:nth-child(2) { width:100px; } table.findings th:nth-child(3) { width:16%; } table.findings th:nth-child(4) { width:22%; } table.findings th:nth-child(5) { width:28%; }
table.findings ul { margin:0; padding-left:16px; }
table { border-collapse:collapse; margin:6px 0 10px; }
th, td { border:1px solid var(--line); padding:4px 8px; vertical-align:top; text-align:left; }
th { background:var(--panel); font-weight:600; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
code, pre { font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace; font-size:12px; }
pre { background:#0f1420; color:#e2e8f0; padding:8px 10px; border-radius:4px; overflow:auto; max-height:260px; white-space:pre-wrap; word-break:break-all; }
.muted { color:var(--muted); }
.badge { display:inline-block; min-width:54px; text-align:center; padding:1px 6px; border-radius:10px; font-size:12px; font-weight:600; color:#fff; }
.s-pass { background:var(--pass); } .s-warn { background:var(--warn); } .s-fail { background:var(--fail); } .s-unknown { background:var(--unknown); } .s-skip { background:var(--skip); }
.verdict { padding:10px 14px; border-radius:6px; border-left:6px solid; background:var(--panel); margin:10px 0; font-size:15px; }
.v-ok { border-color:var(--pass); } .v-warn { border-color:var(--warn); } .v-fail { border-color:var(--fail); }
.hostgrid { display:grid; grid-template-columns:max-content 1fr; gap:2px 14px; margin:8px 0; }
.hostgrid dt { color:var(--muted); } .hostgrid dd { margin:0; }
table.matrix td.cell { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
.legend .ratio { display:inline; }
table.matrix td.cell .ratio { display:block; font-size:12px; font-weight:600; }
table.matrix td.rowhead { white-space:nowrap; }
table.matrix th.host { text-align:center; background:#e9eef7; }
.c-same .ratio { color:var(--same); } .c-near .ratio { color:var(--near); } .c-far .ratio { color:var(--far); } .c-very-far .ratio { color:var(--vfar); } .c-better .ratio { color:var(--better); }
td.c-same { background:#eefaf2; } td.c-near { background:#fdf6e7; } td.c-far { background:#fdeeee; } td.c-very-far { background:#f9dede; } td.c-better { background:#ebf3fc; }
td.failed { background:#fde8e8; color:var(--fail); white-space:normal !important; max-width:220px; text-align:left !important; }
td.missing { color:var(--skip); text-align:center !important; }
.flag { color:var(--warn); font-weight:700; margin-left:3px; }
.charts { display:flex; flex-wrap:wrap; gap:14px; }
figure.chart { margin:0; padding:8px; border:1px solid var(--line); border-radius:6px; background:#fff; }
figure.chart figcaption { font-weight:600; font-size:13px; margin-bottom:2px; }
svg text { font:11px system-ui,sans-serif; fill:#1d2330; }
svg .axis { stroke:#9aa3b2; stroke-width:1; } svg .grid { stroke:#e5e9f0; stroke-width:1; } svg .native { stroke:#1d2330; stroke-width:1.5; stroke-dasharray:3 2; }
svg .whisker { stroke:#1d2330; stroke-width:1.2; }
svg .bar.c-same { fill:var(--same); } svg .bar.c-near { fill:var(--near); } svg .bar.c-far { fill:var(--far); } svg .bar.c-very-far { fill:var(--vfar); } svg .bar.c-better { fill:var(--better); } svg .bar.plain { fill:#4a6fa5; }
details summary { cursor:pointer; color:var(--accent); }
.legend span { margin-right:12px; }
.dl { display:inline-block; padding:5px 12px; border:1px solid var(--accent); border-radius:4px; color:var(--accent); text-decoration:none; margin-right:10px; }
ul.warnings li { margin:3px 0; }
footer { color:var(--muted); font-size:12px; padding:10px 28px 30px; }
@media print { nav.toc { display:none; } pre { max-height:none; } }
`

/** Turns the raw-data placeholders into Blob downloads of the embedded JSON (one per report). */
export const SCRIPT = `
(function () {
  'use strict';
  var node = document.getElementById('virtcheck-data');
  if (!node) return;
  var reports;
  try { reports = JSON.parse(node.textContent || '[]'); } catch (e) { return; }
  var links = document.querySelectorAll('a[data-report-index]');
  for (var i = 0; i < links.length; i++) {
    var a = links[i];
    var report = reports[Number(a.getAttribute('data-report-index'))];
    if (!report) continue;
    var blob = new Blob([JSON.stringify(report, null, 2) + '\\n'], { type: 'application/json' });
    a.href = URL.createObjectURL(blob);
    a.removeAttribute('aria-disabled');
    a.classList.add('ready');
  }
  var note = document.getElementById('raw-data-nojs');
  if (note) note.hidden = true;
})();
`
