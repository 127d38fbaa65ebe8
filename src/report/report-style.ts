/** The report's stylesheet (inlined; allowed by hash in the page's CSP). */
export const REPORT_STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{padding:18px 28px;color:#fff}header.passed{background:#1f7a4d}header.failed{background:#a3312b}
header h1{margin:0 0 4px;font-size:22px}header p{margin:0}
main{max-width:1180px;margin:0 auto;padding:8px 28px 40px}
section{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:12px 18px;margin:16px 0}
h2{font-size:17px;margin:4px 0 10px}
table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #e6e9ef;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f6;font-weight:600}.ci{color:#6b7385;font-size:12px}
.good{color:#1f7a4d}.bad{color:#a3312b}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:16px}
figure.chart{margin:0;height:340px;display:flex;flex-direction:column}
figure.chart canvas{flex:1;min-height:0}
h3{font-size:15px;margin:14px 0 6px}.note{color:#4b5263;font-size:13px}
ul.lineage{margin:4px 0 10px;padding-left:20px}ul.lineage code,table.findings code{font-size:12px}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;font-weight:600;border:1px solid}
.sev-block{background:#a3312b;border-color:#a3312b;color:#fff}
.sev-warn{background:#fdf1d6;border-color:#b7791f;color:#6b4200}
.sev-info{background:#e8f0fb;border-color:#2b6cb0;color:#1e4e8c}
.ack{color:#4b5263;font-size:12px;margin-top:2px}
details{margin:6px 0}summary{cursor:pointer;color:#2b5797}
figcaption{color:#4b5263;font-size:12px;text-align:center;margin-top:4px}
`;
