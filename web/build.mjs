// Builds the web app into crates/hsplan-server/assets (committed; embedded by the server).
// Deterministic: the same sources and lockfile give the same bytes (CI rebuilds and compares).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const out = new URL('../crates/hsplan-server/assets/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['src/main.js'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  outfile: `${out}app.js`,
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync('src/index.html', `${out}index.html`);
copyFileSync('src/app.css', `${out}app.css`);
const echartsVersion = JSON.parse(readFileSync('node_modules/echarts/package.json', 'utf8')).version;
writeFileSync(`${out}LICENSES.md`, `# Third-party code in app.js

app.js bundles, besides hsplan's own code (Apache-2.0, web/src/):

- Apache ECharts ${echartsVersion} — Apache License 2.0 — https://echarts.apache.org (npm package \`echarts\`)
- ZRender (ECharts' renderer, a dependency of echarts) — BSD-3-Clause (npm package \`zrender\`)
- tslib (a dependency of echarts) — 0BSD (npm package \`tslib\`)

Built by \`npm ci && npm run build\` in web/ from web/package-lock.json; the license texts are in
node_modules/echarts/LICENSE, node_modules/zrender/LICENSE and node_modules/tslib/LICENSE.txt.
`);
