import { raw } from './html';

/** The report's own style sheet (after uPlot's): inline, system fonts, nothing fetched. */
export const STYLE = raw(`
:root { color-scheme: light; --ink: #1f2328; --muted: #656d76; --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 32px 0 8px; }
.muted, .subtitle, .note, footer { color: var(--muted); }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 8px 24px; margin: 16px 0; }
.facts div { border-left: 3px solid var(--line); padding-left: 8px; }
.facts dt { color: var(--muted); font-size: 12px; }
.facts dd { margin: 0; font-weight: 600; }
figure { margin: 0; }
.chart { width: 100%; max-width: 1000px; margin: 8px 0; }
.chart-hover { font-size: 12px; color: var(--muted); min-height: 18px; }
.chart .empty { padding: 48px; text-align: center; background: var(--soft); border: 1px solid var(--line); color: var(--muted); }
.legend { list-style: none; padding: 0; margin: 8px 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
table.runs { border-collapse: collapse; width: 100%; font-size: 13px; }
table.runs th, table.runs td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
table.runs th { background: var(--soft); }
table.runs td.num { text-align: right; white-space: nowrap; }
table.runs code { font-size: 12px; word-break: break-all; }
.status { padding: 1px 6px; border-radius: 10px; background: var(--soft); }
.status-stopped { background: #ddf4ff; } .status-completed { background: #dafbe1; }
.status-running { background: #fff8c5; } .status-failed { background: #ffebe9; }
td.error { color: #cf222e; }
footer { margin-top: 32px; font-size: 12px; }
`);
