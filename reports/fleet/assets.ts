/**
 * The fleet page's inline CSS and script. The page is complete without the script (server-rendered
 * tables, <details> for the long parts); the script only adds sorting (click a column header) and a
 * filter box above each long table. Same CSP as the single-host report: nothing loads from outside.
 */

export const FLEET_CSS = `
.toolbar { margin:6px 0; display:flex; gap:10px; align-items:center; }
.toolbar input[type=search] { padding:4px 8px; min-width:280px; border:1px solid var(--line); border-radius:4px; }
.scroll { overflow:auto; max-height:80vh; border:1px solid var(--line); }
.scroll table { margin:0; }
table.fleet { font-size:13px; }
table.fleet td { white-space:nowrap; } table.fleet td.wrap, table.fleet td.hostfail { white-space:normal; min-width:240px; }
table.fleet thead th { position:sticky; top:0; z-index:1; }
table.fleet th button { all:unset; cursor:pointer; }
table.fleet th[aria-sort=ascending] button::after { content:' ▲'; } table.fleet th[aria-sort=descending] button::after { content:' ▼'; }
td.ok { background:#eefaf2; color:var(--pass); } td.no { background:#fdeeee; color:var(--fail); } td.hostfail { background:#fde8e8; color:var(--fail); }
td .id, .id { color:var(--muted); font-size:11px; font-family:ui-monospace,monospace; }
td.cost { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
.kpis { display:flex; gap:18px; flex-wrap:wrap; margin:8px 0; } .kpis div { background:var(--panel); padding:8px 14px; border-radius:6px; } .kpis b { font-size:20px; display:block; }
`

export const FLEET_SCRIPT = `
(function () {
  'use strict';
  var num = function (td) { var v = td && td.getAttribute('data-v'); return v === null || v === undefined || v === '' ? null : Number(v); };
  var tables = document.querySelectorAll('table.fleet');
  for (var t = 0; t < tables.length; t++) (function (table) {
    var tbody = table.tBodies[0];
    if (!tbody) return;
    var rows = Array.prototype.slice.call(tbody.rows);
    var heads = table.tHead ? table.tHead.rows[table.tHead.rows.length - 1].cells : [];
    for (var c = 0; c < heads.length; c++) (function (th, col) {
      var b = document.createElement('button');
      b.type = 'button';
      while (th.firstChild) b.appendChild(th.firstChild);
      th.appendChild(b);
      b.addEventListener('click', function () {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        for (var i = 0; i < heads.length; i++) heads[i].removeAttribute('aria-sort');
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        var sorted = rows.slice().sort(function (x, y) {
          var a = x.cells[col], z = y.cells[col];
          var na = num(a), nz = num(z);
          if (na !== null && nz !== null) return (na - nz) * dir;
          if (na !== null) return -1; if (nz !== null) return 1;
          var sa = a ? a.textContent : '', sz = z ? z.textContent : '';
          return sa < sz ? -dir : sa > sz ? dir : 0;
        });
        var frag = document.createDocumentFragment();
        for (var k = 0; k < sorted.length; k++) frag.appendChild(sorted[k]);
        tbody.appendChild(frag);
      });
    })(heads[c], c);
    if (rows.length < 8) return;
    var bar = document.createElement('div');
    bar.className = 'toolbar';
    var input = document.createElement('input');
    input.type = 'search';
    input.placeholder = 'filter rows (host, CPU, kernel, tier, reason…)';
    input.setAttribute('aria-label', 'filter ' + (table.getAttribute('aria-label') || 'rows'));
    var count = document.createElement('span');
    count.className = 'muted count';
    count.textContent = rows.length + ' rows';
    bar.appendChild(input); bar.appendChild(count);
    var holder = table.parentNode && table.parentNode.classList && table.parentNode.classList.contains('scroll') ? table.parentNode : table;
    holder.parentNode.insertBefore(bar, holder);
    var text = rows.map(function (r) { return (r.textContent + ' ' + (r.getAttribute('data-search') || '')).toLowerCase(); });
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase().split(/\\s+/).filter(Boolean);
      var shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var ok = true;
        for (var j = 0; j < q.length; j++) if (text[i].indexOf(q[j]) < 0) { ok = false; break; }
        rows[i].hidden = !ok;
        if (ok) shown++;
      }
      count.textContent = q.length ? shown + ' of ' + rows.length + ' rows' : rows.length + ' rows';
    });
  })(tables[t]);
})();
`
