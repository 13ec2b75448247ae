// Browser end-to-end tests of the web workspace in real (headless) Chromium, on the demo
// store served by `hsplan demo --serve`. Screenshots go to web/screenshots/.
//   HSPLAN_BIN  the hsplan binary (default ../target/release/hsplan)
//   CHROMIUM    the browser (default /usr/bin/chromium)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const here = new URL('..', import.meta.url).pathname;
const bin = process.env.HSPLAN_BIN || join(here, '../target/release/hsplan');
const shots = join(here, 'screenshots');
mkdirSync(shots, { recursive: true });

let server;
let base;
let browser;
let work;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'hsplan-e2e-'));
  server = spawn(bin, ['--lang', 'en', 'demo', '--serve', '--addr', '127.0.0.1:0', '--out', join(work, 'demo')], { stdio: ['ignore', 'pipe', 'inherit'] });
  base = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no server address in: ${seen}`)), 300000);
    server.stdout.on('data', (d) => {
      seen += d.toString();
      const m = seen.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (m) { clearTimeout(timer); resolve(m[0]); }
    });
    server.on('exit', (code) => reject(new Error(`hsplan exited with ${code}: ${seen}`)));
  });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function page(path, { width = 1366, height = 768, lang = 'zh-CN' } = {}) {
  const ctx = await browser.newContext({ viewport: { width, height }, bypassCSP: true });
  await ctx.addInitScript((l) => localStorage.setItem('hsplan-lang', l), lang);
  const p = await ctx.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  await p.goto(base + path);
  await p.waitForSelector('main[aria-busy="false"]');
  p.errors = errors;
  return p;
}

async function shot(p, name) {
  await p.waitForTimeout(300);
  await p.screenshot({ path: join(shots, `${name}.png`) });
}

test('every label the app asks for is in the message catalogue, in both languages', async () => {
  const { readFileSync } = await import('node:fs');
  const source = readFileSync(join(here, 'src/main.js'), 'utf8');
  const keys = new Set([...source.matchAll(/\bt\('([A-Za-z_]+)'\)/g)].map((m) => m[1]));
  const messages = await (await fetch(`${base}/api/messages`)).json();
  const missing = [...keys].filter((k) => !(k in messages['zh-CN']) || !(k in messages.en));
  assert.deepEqual(missing, []);
  assert.ok(keys.size > 50, `${keys.size} keys`);
});

test('home shows what the store holds and labels synthetic data', async () => {
  const p = await page('/');
  assert.match(await p.textContent('.banners'), /合成/);
  assert.ok((await p.$$('table tbody tr')).length >= 4);
  await shot(p, 'home-zh-1366');
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('evaluation shows the plan rows with statuses and charts', async () => {
  const p = await page('/#/evaluation?plan=beibei-14th-fyp&year=2023&mode=midterm');
  const rows = await p.$$('#evaluation-table tbody tr');
  assert.ok(rows.length >= 20, `${rows.length} rows`);
  const text = await p.textContent('#evaluation-table');
  assert.match(text, /每千人口医疗卫生机构床位数/);
  assert.ok((await p.$$('#evaluation-table .badge')).length >= 20);
  assert.ok(await p.$('#chart-trend svg'));
  assert.ok(await p.$('#chart-league svg'));
  await p.waitForFunction(() => document.querySelectorAll('#eval-map svg path').length >= 17);
  const href = await p.getAttribute('.downloads a', 'href');
  const r = await p.request.get(base + href);
  assert.equal(r.status(), 200);
  assert.match(await r.text(), /<!DOCTYPE html>/);
  await shot(p, 'evaluation-zh-1366');
  // 2024: the utilisation counted from Beibei's (synthetic) records, with its 17 towns/streets
  await p.goto(`${base}/#/evaluation?plan=beibei-14th-fyp&year=2024&mode=annual`);
  await p.waitForSelector('main[aria-busy="false"] #utilisation-table');
  assert.equal((await p.$$('#utilisation-table tbody tr')).length, 14);
  assert.equal((await p.$$('#utilisation-table thead th')).length, 4 + 17);
  assert.match(await p.textContent('#utilisation-table'), /中医诊疗量占比/);
  await p.$eval('#utilisation-table', (el) => el.scrollIntoView());
  await shot(p, 'evaluation-utilisation-zh-1366');
  await p.setViewportSize({ width: 1920, height: 1080 });
  await shot(p, 'evaluation-zh-1920');
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('the utilisation table in English gives its units in English', async () => {
  const p = await page('/#/evaluation?plan=beibei-14th-fyp&year=2024&mode=annual', { lang: 'en' });
  await p.waitForSelector('main[aria-busy="false"] #utilisation-table');
  const values = await p.$$eval('#utilisation-table tbody td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
  assert.equal(values.length, 14);
  assert.deepEqual(values.filter((v) => /[\u4e00-\u9fff]/.test(v)), []);
  assert.ok(values.some((v) => v.endsWith(' person-times')), values.join(' | '));
  assert.ok(values.some((v) => v.endsWith(' ×')), values.join(' | '));
  await p.$eval('#utilisation-table', (el) => el.scrollIntoView({ block: 'center' }));
  await shot(p, 'evaluation-utilisation-en-1366');
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('map shows the 17 towns/streets and the facility points', async () => {
  const p = await page('/#/map?unit=500109&year=2024');
  assert.equal((await p.$$('#map-areas tbody tr')).length, 17);
  const count = Number((await p.textContent('#facility-count')).match(/\d+/)[0]);
  assert.ok(count > 100, `${count} facilities`);
  await p.waitForFunction(() => document.querySelectorAll('#map svg path').length >= 17 + 100);
  const legend = await p.$$eval('#map-legend li', (li) => li.map((x) => x.textContent));
  assert.equal(new Set(legend).size, legend.length);
  await shot(p, 'map-zh-1366');
  await p.setViewportSize({ width: 1920, height: 1080 });
  await shot(p, 'map-zh-1920');
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('drill-down from the district to a village', async () => {
  const p = await page('/#/region/500109');
  await p.click('#children li:first-child a');
  await p.waitForFunction(() => document.querySelector('h1 small')?.textContent.includes('乡级'));
  await p.click('#children li:first-child a');
  await p.waitForFunction(() => document.querySelector('h1 small')?.textContent.includes('村级'));
  assert.equal((await p.$$('.crumbs a')).length, 4);
  assert.equal((await p.$$('#unit-indicators tbody tr')).length, 53);
  await shot(p, 'village-zh-1366');
  // search by name
  await p.fill('#unit-search', '天生');
  await p.press('#unit-search', 'Enter');
  await p.waitForSelector('.hits li a');
  assert.match(await p.textContent('.hits'), /天生街道/);
  await p.context().close();
});

test('standards list violations with filters and source quotes', async () => {
  const p = await page('/#/standards?year=2024&unit=500109');
  const n = (await p.$$('#violations tbody tr')).length;
  assert.ok(n > 50, `${n} violations`);
  await p.selectOption('#std-severity', 'high');
  await p.waitForFunction((all) => document.querySelectorAll('#violations tbody tr').length < all, n);
  await p.click('#violations tbody tr:first-child summary');
  assert.match(await p.textContent('#violations tbody tr:first-child details'), /出处/);
  await shot(p, 'standards-zh-1366');
  // a standards file of the user's: a broken one is located
  await p.setInputFiles('#rules-file', { name: 'mine.toml', mimeType: 'text/plain', buffer: Buffer.from("[[rule]]\nid = 'x'\nkind = 'nonsense'\n") });
  await p.click('#rules-btn');
  await p.waitForSelector('#rules-result .error');
  assert.match(await p.textContent('#rules-result'), /mine\.toml/);
  await p.context().close();
});

test('the data-quality review: scores, drill-down, findings by check, doubtful rows', async () => {
  const p = await page('/#/quality?year=2023');
  // the district, then its 17 towns/streets
  assert.equal((await p.$$('#quality-scores tbody tr')).length, 1 + 17);
  assert.match(await p.textContent('#quality-scores tbody tr:first-child'), /北碚区/);
  const all = (await p.$$('#quality-findings tbody tr')).length;
  assert.ok(all >= 4, `${all} findings`);
  assert.match(await p.textContent('#quality-findings'), /病床使用率/);
  await shot(p, 'quality-zh-1366');
  await p.selectOption('#q-check', 'bed_occupancy');
  await p.waitForFunction(() => document.querySelector('main').dataset.rendered?.includes('check=bed_occupancy'));
  assert.equal((await p.$$('#quality-findings tbody tr')).length, 1);
  // drill down into the sub-unit with findings
  const sub = await p.$$eval('#quality-scores tbody tr', (rows) => rows.slice(1).find((r) => r.lastElementChild.textContent !== '0')?.dataset.unit);
  assert.ok(sub);
  await p.click(`#quality-scores tr[data-unit="${sub}"] a`);
  await p.waitForFunction((u) => document.querySelector('main').dataset.rendered?.includes(`unit=${u}`), sub);
  assert.match(await p.textContent('#quality-scores tbody tr:first-child'), /街道|镇/);
  // the evaluation marks doubtful rows and links to the review
  await p.goto(`${base}/#/evaluation?plan=beibei-14th-fyp&year=2023`);
  await p.waitForSelector('main[aria-busy="false"] #evaluation-table');
  assert.ok((await p.$$('#evaluation-table .doubt')).length >= 2);
  await p.click('#evaluation-table .doubt a');
  await p.waitForSelector('main[aria-busy="false"] #quality-scores');
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('a siting job runs with progress and its sites appear', async () => {
  const p = await page('/#/siting');
  await p.fill('#s-p', '2');
  await p.fill('#s-name', 'e2e-mclp-2');
  await p.click('#s-run');
  await p.waitForSelector('#new-sites tbody tr', { timeout: 60000 });
  assert.equal((await p.$$('#new-sites tbody tr')).length, 2);
  assert.match(await p.textContent('#siting-state'), /完成|done/);
  await p.waitForFunction(() => document.querySelectorAll('#siting-map svg path').length > 100);
  await p.waitForFunction(() => document.querySelector('#scenarios')?.textContent.includes('e2e-mclp-2'));
  await shot(p, 'siting-zh-1366');
  // every form control has a label
  const unlabelled = await p.$$eval('#siting-form input, #siting-form select', (els) => els
    .filter((e) => !document.querySelector(`label[for="${e.id}"]`)).map((e) => e.id || e.outerHTML));
  assert.deepEqual(unlabelled, []);
  await p.context().close();
});

test('an access run shows coverage per unit and isochrones', async () => {
  const p = await page('/#/siting');
  await p.fill('#a-thresholds', '10,20');
  await p.click('#a-run');
  await p.waitForSelector('#access-table tbody tr', { timeout: 60000 });
  assert.equal((await p.$$('#access-table tbody tr')).length, 18);
  assert.match(await p.textContent('#access-table thead'), /≤ 10 min/);
  await p.waitForFunction(() => document.querySelectorAll('#access-map svg path').length > 100);
  await shot(p, 'access-zh-1366');
  await p.context().close();
});

test('a bad CSV upload shows its row and column and imports nothing', async () => {
  const p = await page('/#/data');
  await p.selectOption('#upload-kind', 'facilities');
  await p.setInputFiles('#upload-file', {
    name: 'bad-facilities.csv', mimeType: 'text/csv',
    buffer: Buffer.from('id,name,type,ownership,unit_code\nB1,好行,clinic,private,500109001000\nB2,坏行,clinic,private,999999\n'),
  });
  await p.click('#upload-btn');
  await p.waitForSelector('#upload-result .error');
  const text = await p.textContent('#upload-result');
  assert.match(text, /bad-facilities\.csv/);
  assert.match(text, /row 3/);
  assert.match(text, /unit_code/);
  await shot(p, 'upload-error-zh-1366');
  await p.context().close();
});

test('the English switch and keyboard use', async () => {
  const p = await page('/#/evaluation?plan=beibei-14th-fyp&year=2024');
  await p.click('#lang-switch');
  await p.waitForFunction(() => document.querySelector('nav.top').textContent.includes('Plan evaluation'));
  assert.equal(await p.getAttribute('html', 'lang'), 'en');
  assert.match(await p.textContent('#evaluation-table thead'), /Baseline/);
  await shot(p, 'evaluation-en-1366');
  await p.keyboard.press('Tab');
  const focused = await p.evaluate(() => document.activeElement.tagName);
  assert.equal(focused, 'A');
  await p.context().close();
  const q = await page('/#/map?unit=500109', { lang: 'en', width: 1920, height: 1080 });
  assert.match(await q.textContent('h1'), /Beds per 1,000|beds/i);
  await shot(q, 'map-en-1920');
  await q.context().close();
});

test('plans and ledgers', async () => {
  const p = await page('/#/plans?plan=dadukou-service-system-2027');
  assert.equal((await p.$$('#plan-tasks tbody tr')).length, 20);
  assert.ok(await p.$('#chart-lead svg'));
  await shot(p, 'plans-zh-1366');
  await p.context().close();
});

test('the municipal plan beside its district plans, evaluated over its 38 districts', async () => {
  const p = await page('/#/plans?plan=chongqing-14th-fyp');
  await p.waitForSelector('#child-plans');
  const tables = await p.$$('#child-plans table.child-units');
  assert.ok(tables.length >= 1, `${tables.length} indicators`);
  assert.equal((await tables[0].$$('tbody tr')).length, 38);
  assert.match(await p.textContent('#child-plans'), /铜梁|北碚|大渡口/);
  await shot(p, 'plans-children-zh-1366');
  assert.deepEqual(p.errors, []);
  await p.context().close();
  // a plan no other names as its parent has no such section
  const b = await page('/#/plans?plan=beibei-14th-fyp');
  await b.waitForSelector('#plan-indicators');
  assert.equal(await b.$('#child-plans'), null);
  await b.context().close();
  const e = await page('/#/evaluation?plan=chongqing-14th-fyp&year=2024');
  await e.waitForFunction(() => document.querySelectorAll('#eval-map svg path').length >= 38);
  assert.match(await e.textContent('#evaluation-table'), /每千人口执业（助理）医师数/);
  await shot(e, 'evaluation-municipal-zh-1366');
  assert.deepEqual(e.errors, []);
  await e.context().close();
});

// last: it adds a second hierarchy (DHIS2 uids, assigned codes) to the demo store
test('DHIS2 metadata of a uid-only hierarchy uploads beside the demo region', async () => {
  const { readFileSync } = await import('node:fs');
  const p = await page('/#/data', { lang: 'en' });
  await p.selectOption('#upload-kind', 'dhis2-metadata');
  await p.setInputFiles('#upload-file', {
    name: 'metadata.json', mimeType: 'application/json',
    buffer: readFileSync(join(here, '../examples/dhis2/uid-hierarchy/metadata.json')),
  });
  await p.click('#upload-btn');
  await p.waitForSelector('#upload-result .ok-box');
  const text = await p.textContent('#upload-result');
  assert.match(text, /8 units/);
  assert.match(text, /7 facilities/);
  // the new top unit answers by its assigned code and by its DHIS2 uid alike
  const byCode = await (await fetch(`${base}/api/units/X001000000000000`)).json();
  const byUid = await (await fetch(`${base}/api/units/ImspTQPwCqd`)).json();
  assert.equal(byCode.unit.name, 'Sierra Leone');
  assert.equal(byCode.unit.level_zh, 'National');
  assert.equal(byUid.unit.code, 'X001000000000000');
  assert.equal(byUid.unit.source_id, 'ImspTQPwCqd');
  await shot(p, 'upload-dhis2-en-1366');
  await p.context().close();
});
