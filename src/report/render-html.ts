import { escapeHtml } from './html-escape.js';
import { loadHtml } from './html-load.js';
import { actionsHtml, appendixHtml, capacityHtml, coverageHtml, probesHtml, rehearsalHtml } from './html-sections.js';
import { formatTime } from './report-format.js';
import type { ReportModel } from './report-model.js';

// System fonts only: the file must open offline, and nothing may be fetched.
const STYLE = `
:root{color-scheme:light;--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--ok:#1a7f37;--bad:#cf222e}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);max-width:960px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:32px}h3{font-size:16px;margin:20px 0 6px}h4{font-size:14px;margin:14px 0 4px}
.verdict{font-size:16px;font-weight:600;padding:10px 14px;border-radius:6px;margin:12px 0}.verdict.pass{background:#dafbe1;color:var(--ok)}.verdict.fail{background:#ffebe9;color:var(--bad)}
.pill{font-size:11px;font-weight:600;padding:1px 8px;border-radius:10px;vertical-align:middle}.pill.pass{background:#dafbe1;color:var(--ok)}.pill.fail{background:#ffebe9;color:var(--bad)}
.ok{color:var(--ok)}.bad{color:var(--bad);font-weight:600}.muted,.meta{color:var(--muted)}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}tfoot th{border-top:2px solid var(--line)}
.chart{width:100%;height:auto;display:block}.chart .tick{font-size:10px;fill:var(--muted)}.chart .marker{font-size:9px;fill:#fff;font-weight:700}
figure{margin:12px 0}figcaption{font-weight:600;font-size:13px}.legend{font-weight:400;color:var(--muted);margin-left:8px}.band-swatch{opacity:.35}.swatch,.dot{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 8px;vertical-align:middle}.dot{border-radius:5px;margin-left:0}
ol.annotations{columns:2;font-size:12px;color:var(--muted);margin:4px 0 12px}.when{font-variant-numeric:tabular-nums;color:var(--fg);margin-right:4px}
ul.checks{list-style:none;padding-left:0;margin:4px 0}ul.checks li{margin:2px 0}
.stats{display:flex;gap:12px;margin:8px 0}.stat{border:1px solid var(--line);border-radius:6px;padding:6px 12px}.stat span{display:block;font-size:11px;color:var(--muted)}.stat b{font-size:18px}
ol.timeline{display:flex;flex-wrap:wrap;gap:4px 16px;list-style:none;padding:0;font-size:12px}
code{font-size:12px;background:#f6f8fa;padding:0 3px;border-radius:3px;word-break:break-all}details{margin:6px 0}summary{cursor:pointer}
@media print{body{max-width:none}details{display:block}}
`;

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>${body}</section>`;
}

/** The whole report as one self-contained HTML file: inline CSS and SVG, no script, no external reference. */
export function renderHtml(model: ReportModel): string {
  const loads = model.loads.map((load) => `<h3>${escapeHtml(load.title)}</h3>${loadHtml(load)}`).join('\n');
  const parts = [
    section('summary', 'Summary', `<ul>${model.summary.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`),
    section('actions', `Action items (${model.actions.length})`, actionsHtml(model.actions)),
    model.capacity.length === 0 && model.probes.length === 0 ? '' : section('capacity', 'Capacity: forecast vs measured', model.capacity.map(capacityHtml).join('\n') + probesHtml(model.probes)),
    model.loads.length === 0 ? '' : section('loads', 'Load tests', loads),
    model.rehearsals.length === 0 ? '' : section('rehearsals', 'SOP rehearsals', model.rehearsals.map(rehearsalHtml).join('\n')),
    section('coverage', 'Alerts → SOPs', coverageHtml(model.coverage)),
    model.notes.length === 0 ? '' : section('notes', 'Notes', `<ul>${model.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>`),
    section('appendix', 'Appendix: runs, files and hashes', appendixHtml(model.appendix)),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(model.title)}</title><style>${STYLE}</style></head>
<body><header><h1>${escapeHtml(model.title)}</h1>
<p class="meta">Generated ${formatTime(model.generated_at)} by ${escapeHtml(model.tool.name)} ${escapeHtml(model.tool.version)} from ${model.appendix.length} run director${model.appendix.length === 1 ? 'y' : 'ies'}.</p>
<p class="verdict ${model.verdict.pass ? 'pass' : 'fail'}" id="verdict">${escapeHtml(model.verdict.line)}</p></header>
${parts.filter((part) => part !== '').join('\n')}
</body></html>
`;
}
