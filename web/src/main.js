// hsplan's web workspace. Every view's state lives in the URL (#/view?key=value), so a
// link shows a colleague the same page. All numbers come from the JSON API; this file
// only asks and draws.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, MapChart, ScatterChart } from 'echarts/charts';
import {
  GeoComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent,
  MarkLineComponent, TitleComponent,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { t, pick, setLang, getLang, setMessages, unitText, inParens } from './i18n.js';

echarts.use([
  BarChart, LineChart, MapChart, ScatterChart, GeoComponent, GridComponent, LegendComponent,
  TooltipComponent, VisualMapComponent, MarkLineComponent, TitleComponent, SVGRenderer,
]);

const CLASS_COLOURS = ['#eff3ff', '#bdd7e7', '#6baed6', '#3182bd', '#08519c', '#08306b', '#041c40', '#02112a', '#010a1a'];
const STATUS_CLASS = {
  achieved: 'ok', on_track: 'ok', lagging: 'warn', off_track: 'bad', regressing: 'bad', no_data: 'none',
};
const STATUS_TEXT = {
  achieved: ['已达成', 'Achieved'], on_track: ['进度正常', 'On track'], lagging: ['滞后', 'Lagging'],
  off_track: ['严重滞后', 'Off track'], regressing: ['倒退', 'Regressing'], no_data: ['无数据', 'No data'],
};
let config = { home_unit: null, home_plan: null, siting: false, accounts: false };
// The signed-in user on a shared store (null: no accounts, or not signed in yet).
let me = null;
// The session's CSRF token, echoed on every change made under the session cookie.
let csrf = sessionStorage.getItem('hsplan-csrf');
let status = null;
let charts = [];
let mounted = [];

// Runs `fn` once the view is in the document (charts need their element's size).
function onMount(fn) {
  mounted.push(fn);
}

function flushMounted() {
  const pending = mounted;
  mounted = [];
  for (const fn of pending) fn();
}

// ---------- helpers ----------
function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'html') el.innerHTML = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === null || kid === undefined || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}

function num(v, digits = 2) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const r = Math.abs(v) < 1e-9 ? 0 : v;
  return Number.isInteger(r) ? r.toLocaleString(getLang()) : r.toLocaleString(getLang(), { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function statusText(s) {
  const p = STATUS_TEXT[s] || [s, s];
  return getLang() === 'en' ? p[1] : p[0];
}

class ApiError extends Error {
  constructor(problem) {
    super(problem.detail || problem.title || 'error');
    this.problem = problem;
  }
}

async function api(path, options = {}) {
  const method = (options.method || 'GET').toUpperCase();
  if (csrf && method !== 'GET' && method !== 'HEAD') {
    options = { ...options, headers: { ...(options.headers || {}), 'x-csrf-token': csrf } };
  }
  const r = await fetch(path, options);
  if (r.status === 401 && config.accounts && path !== '/api/session') {
    me = null;
    renderLogin();
    throw new ApiError({ detail: t('signInTitle') });
  }
  const type = r.headers.get('content-type') || '';
  if (!r.ok) {
    const problem = type.includes('json') ? await r.json() : { detail: await r.text() };
    throw new ApiError(problem);
  }
  return type.includes('json') ? r.json() : r.text();
}

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query] = hash.split('?');
  const parts = path.split('/').filter(Boolean);
  return { view: parts[0] || 'home', arg: parts[1], params: new URLSearchParams(query || '') };
}

function link(view, params = {}, arg) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return `#/${view}${arg ? '/' + arg : ''}${s ? '?' + s : ''}`;
}

function go(view, params, arg) {
  location.hash = link(view, params, arg);
}

function errorBox(e) {
  const p = e.problem || { detail: String(e) };
  return h('div', { class: 'error', role: 'alert' },
    h('strong', {}, t('error'), ': '), getLang() === 'en' ? p.detail : (p.detail_zh || p.detail),
    p.problems && p.problems.length > 1 ? h('ul', {}, p.problems.map((x) => h('li', {}, x))) : null,
    p.more ? h('p', {}, `… +${p.more}`) : null);
}

function banners() {
  if (!status) return null;
  return h('div', { class: 'banners' }, status.notes
    .filter((n) => n.kind !== 'remark')
    .map((n) => h('div', { class: 'banner', 'data-kind': n.kind }, pick(n.zh, n.en))));
}

function chart(el, option) {
  const c = echarts.init(el, null, { renderer: 'svg', locale: getLang() === 'en' ? 'EN' : 'ZH' });
  c.setOption(option);
  charts.push(c);
  return c;
}

function select(id, label, options, value, onchange) {
  return h('label', { for: id }, label, ' ',
    h('select', { id, onchange: (e) => onchange(e.target.value) },
      options.map(([v, text]) => h('option', { value: v, selected: String(v) === String(value) }, text))));
}

function years() {
  return status ? status.years : [];
}

function latestYear() {
  const y = years();
  return y.length ? y[y.length - 1] : 2024;
}

function table(headers, rows, attrs = {}) {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map((r) => (r instanceof Node ? r : h('tr', {}, r.map((c) => h('td', {}, c)))))));
}

// ---------- views ----------
async function viewHome() {
  const home = config.home_unit;
  const s = status;
  return h('section', {},
    h('h1', {}, t('app')),
    h('h2', {}, t('storeHolds')),
    table([t('level'), t('count')], s.levels.map((l) => [getLang() === 'en' ? l.level : l.level_zh, num(l.units)])),
    h('p', {}, `${t('facilities')}: ${num(s.facilities)} · ${t('year')}: ${s.years.join(', ')}`),
    h('ul', { class: 'cards' },
      home ? h('li', {}, h('a', { href: link('region', {}, home) }, t('region'))) : null,
      config.home_plan ? h('li', {}, h('a', { href: link('evaluation', { plan: config.home_plan, year: latestYear() }) }, t('evaluation'))) : null,
      home ? h('li', {}, h('a', { href: link('map', { unit: home }) }, t('map'))) : null,
      h('li', {}, h('a', { href: link('standards', { year: latestYear(), unit: home }) }, t('standards'))),
      h('li', {}, h('a', { href: link('quality', { year: latestYear() }) }, t('quality'))),
      config.siting ? h('li', {}, h('a', { href: link('siting') }, t('siting'))) : null,
      h('li', {}, h('a', { href: link('plans') }, t('plans'))),
      h('li', {}, h('a', { href: link('data') }, t('data')))),
    s.notes.filter((n) => n.kind === 'remark').length
      ? h('details', {}, h('summary', {}, t('notes')), h('ul', {}, s.notes.filter((n) => n.kind === 'remark').map((n) => h('li', {}, pick(n.zh, n.en)))))
      : null);
}

function searchForm(within) {
  const out = h('div', { class: 'hits', 'aria-live': 'polite' });
  const input = h('input', { id: 'unit-search', type: 'search', placeholder: t('search'), 'aria-label': t('search') });
  const form = h('form', {
    class: 'search', role: 'search',
    onsubmit: async (e) => {
      e.preventDefault();
      out.replaceChildren();
      try {
        const hits = await api(`/api/units?q=${encodeURIComponent(input.value)}&limit=30${within ? '&within=' + within : ''}`);
        out.append(h('ul', {}, hits.map((x) => h('li', {},
          h('a', { href: link('region', {}, x.unit.code) }, `${x.unit.name} (${x.unit.code})`),
          h('span', { class: 'muted' }, ' ', x.path.join(' › '))))));
      } catch (err) { out.append(errorBox(err)); }
    },
  }, h('label', { for: 'unit-search', class: 'sr-only' }, t('search')), input, h('button', { type: 'submit' }, t('searchBtn')));
  return h('div', {}, form, out);
}

async function viewRegion(code, params) {
  code = code || config.home_unit || (status.roots[0] && status.roots[0].code);
  const year = params.get('year') || latestYear();
  const d = await api(`/api/units/${code}?year=${year}`);
  const crumbs = h('nav', { class: 'crumbs', 'aria-label': 'breadcrumb' },
    [...d.path, d.unit].map((u, i, all) => [
      i === all.length - 1 ? h('span', { 'aria-current': 'page' }, u.name) : h('a', { href: link('region', { year }, u.code) }, u.name),
      i < all.length - 1 ? ' › ' : '']));
  const typeChart = h('div', { class: 'chart', id: 'chart-types' });
  const gradeChart = h('div', { class: 'chart small', id: 'chart-grades' });
  const popChart = h('div', { class: 'chart small', id: 'chart-pop' });
  const section = h('section', {},
    crumbs,
    h('h1', {}, d.unit.name, ' ', h('small', {}, `${d.unit.code} · ${getLang() === 'en' ? d.unit.level : d.unit.level_zh}`)),
    searchForm(),
    h('div', { class: 'toolbar' },
      select('region-year', t('year'), years().map((y) => [y, y]), year, (y) => go('region', { year: y }, code)),
      h('a', { href: link('map', { unit: d.unit.children ? d.unit.code : (d.path.at(-1) || d.unit).code, year }) }, t('map')),
      ' ',
      h('a', { href: link('evaluation', { plan: config.home_plan, year, unit: d.unit.code }) }, t('evaluation'))),
    h('div', { class: 'grid2' },
      h('div', {},
        h('h2', {}, t('children'), ` (${d.children.length})`),
        d.children.length
          ? h('ul', { class: 'tree', id: 'children' }, d.children.map((c) => h('li', {},
            h('a', { href: link('region', { year }, c.code) }, c.name), h('span', { class: 'muted' }, ` ${c.code}${c.children ? ' · ' + c.children : ''}`))))
          : h('p', { class: 'muted' }, '—'),
        h('h2', {}, t('population')), popChart),
      h('div', {},
        h('h2', {}, t('facilities'), ` · ${t('byType')}`), typeChart,
        h('h2', {}, t('byGrade')), gradeChart)),
    h('h2', {}, t('indicators'), ` · ${d.year}`),
    table([t('indicator'), t('value'), ''], d.indicators.map((r) => [
      `${pick(r.name_zh, r.name_en)}${inParens(unitText(r.unit))}`,
      r.shown ?? h('span', { class: 'muted' }, gapText(r)),
      r.denominator !== null ? `${num(r.numerator)} / ${num(r.denominator)}` : '']), { id: 'unit-indicators' }));
  onMount(() => {
    chart(typeChart, {
      tooltip: {}, grid: { left: 150, right: 20, top: 10, bottom: 20 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: d.facilities_by_type.map((x) => pick(x.zh, x.en)) },
      series: [{ type: 'bar', data: d.facilities_by_type.map((x) => x.count), itemStyle: { color: '#3182bd' } }],
    });
    chart(gradeChart, {
      tooltip: {}, grid: { left: 80, right: 20, top: 10, bottom: 20 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: d.facilities_by_grade.map((x) => x.zh) },
      series: [{ type: 'bar', data: d.facilities_by_grade.map((x) => x.count), itemStyle: { color: '#6baed6' } }],
    });
    chart(popChart, {
      tooltip: { trigger: 'axis' }, grid: { left: 70, right: 20, top: 10, bottom: 25 },
      xAxis: { type: 'category', data: d.population.map((p) => p.year) },
      yAxis: { type: 'value' },
      series: [{ type: 'line', data: d.population.map((p) => p.resident), itemStyle: { color: '#08519c' } }],
    });
  });
  return section;
}

function gapText(r) {
  if (r.gap === 'numerator_incomplete' || r.gap === 'denominator_incomplete') return `${t('noData')} (${r.missing})`;
  if (r.gap === 'zero_denominator') return t('noData');
  return '—';
}

function progressBar(pct) {
  if (pct === null || pct === undefined) return h('span', { class: 'muted' }, '—');
  const w = Math.max(0, Math.min(100, pct));
  return h('span', { class: 'bar', title: `${num(pct, 1)}%`, role: 'img', 'aria-label': `${num(pct, 1)}%` },
    h('span', { class: 'fill', style: `width:${w}%` }), h('span', { class: 'pct' }, `${num(pct, 0)}%`));
}

async function viewEvaluation(params) {
  const plans = await api('/api/plans');
  const plan = params.get('plan') || config.home_plan || plans[0].id;
  const year = params.get('year') || latestYear();
  const mode = params.get('mode') || 'annual';
  const unit = params.get('unit') || '';
  const chosen = params.get('ind');
  const approved = params.get('approved') === '1';
  const q = { plan, year, mode, unit, approved: approved ? '1' : '' };
  const e = await api(`/api/evaluations?${new URLSearchParams({ plan, year, ...(unit ? { unit } : {}), ...(approved ? { approved_only: 'true' } : {}) })}`);
  const counts = Object.entries(e.status_counts).map(([s, n]) => h('span', { class: `badge ${STATUS_CLASS[s]}` }, `${statusText(s)} ${n}`));
  const ind = chosen ? e.indicators.find((r) => r.id === chosen) : e.indicators.find((r) => e.leagues.some((l) => l.id === r.id && !l.uniform));
  const trend = ind && e.trends.find((tr) => tr.id === ind.id);
  const league = ind && e.leagues.find((l) => l.id === ind.id);
  const dl = (format) => `/api/evaluations/report?${new URLSearchParams({ plan, year, mode, lang: getLang(), format, ...(unit ? { unit } : {}) })}`;
  const trendEl = h('div', { class: 'chart', id: 'chart-trend' });
  const leagueEl = h('div', { class: 'chart tall', id: 'chart-league' });
  const evalMapEl = h('div', { class: 'map small', id: 'eval-map' });
  let layer = null;
  if (ind && league) {
    try {
      layer = await api(`/api/map/choropleth?${new URLSearchParams({ unit: e.unit, indicator: ind.formula, year })}`);
    } catch (err) { layer = null; }
  }
  const rows = e.indicators.map((r) => h('tr', { class: r.id === (ind && ind.id) ? 'chosen' : '', 'data-id': r.id },
    h('td', {}, r.row),
    h('td', {}, h('a', { href: link('evaluation', { ...q, ind: r.id }) }, pick(r.name_zh, r.name_en)), r.binding ? h('span', { class: 'tag' }, t('binding')) : null,
      r.quote ? h('div', { class: 'muted small text-target' }, `“${r.quote}”`) : null,
      r.doubt ? h('div', { class: 'small doubt' }, h('a', { href: link('quality', { year, unit: e.unit }), title: pick(r.doubt.zh, r.doubt.en) }, `⚠ ${t('dataDoubt')}`), `: ${pick(r.doubt.zh, r.doubt.en)}`) : null),
    h('td', {}, r.baseline), h('td', {}, r.target), h('td', {}, num(r.expected)), h('td', {}, num(r.actual)),
    h('td', {}, progressBar(r.progress_pct)),
    h('td', {}, h('span', { class: `badge ${STATUS_CLASS[r.status]}` }, statusText(r.status))),
    h('td', {}, r.projection ? `${t('projection')} ${num(r.projection.linear)}` : '',
      r.gap ? h('div', { class: 'muted' }, `${t('gap')}: ${num(r.gap)}`) : '')));
  const section = h('section', {},
    h('h1', {}, pick(e.title_zh, e.title_en)),
    h('div', { class: 'toolbar' },
      select('eval-plan', t('plan'), plans.map((p) => [p.id, pick(p.title_zh, p.title_en)]), plan, (v) => go('evaluation', { ...q, plan: v, unit: '' })),
      select('eval-year', t('year'), years().map((y) => [y, y]), year, (v) => go('evaluation', { ...q, year: v })),
      select('eval-mode', t('mode'), [['annual', t('annual')], ['midterm', t('midterm')], ['final', t('final')]], mode, (v) => go('evaluation', { ...q, mode: v })),
      config.accounts ? h('label', { for: 'eval-approved' }, h('input', { type: 'checkbox', id: 'eval-approved', checked: approved, onchange: (ev) => go('evaluation', { ...q, approved: ev.target.checked ? '1' : '' }) }), ' ', t('approvedOnly')) : null),
    h('p', {}, `${e.unit_name} (${e.unit}) · ${e.year} · ${t(mode)} · `, counts),
    h('p', { class: 'downloads' },
      h('a', { href: dl('html'), download: true }, t('downloadHtml')), ' · ',
      h('a', { href: dl('xlsx'), download: true }, t('downloadXlsx')), ' · ',
      h('a', { href: dl('csv'), download: true }, t('downloadCsv'))),
    table(['#', t('indicator'), t('baseline'), t('target'), t('expected'), t('actual'), t('progress'), t('status'), t('outlook')], rows, { id: 'evaluation-table' }),
    utilisationTable(e),
    ind ? h('div', { class: 'grid2' },
      h('div', {}, h('h2', {}, t('trend'), ' · ', pick(ind.name_zh, ind.name_en)), trendEl),
      h('div', {}, h('h2', {}, t('league')), league ? leagueEl : h('p', { class: 'muted' }, '—'))) : null,
    layer && layer.geojson.features.length ? h('div', {},
      h('h2', {}, t('map'), ' · ', pick(ind.name_zh, ind.name_en), layer.schematic_boundaries ? h('span', { class: 'muted' }, ` (${t('schematic')})`) : null),
      h('div', { class: 'grid-map' }, evalMapEl, h('div', {}, legendList(layer, 'eval-legend'),
        h('p', {}, h('a', { href: link('map', { unit: e.unit, indicator: ind.formula, year }) }, t('map')))))) : null);
  onMount(() => {
    if (trend) {
      chart(trendEl, {
        tooltip: { trigger: 'axis' }, grid: { left: 60, right: 30, top: 20, bottom: 25 },
        xAxis: { type: 'category', data: trend.values.map((v) => v[0]) },
        yAxis: { type: 'value', scale: true },
        series: [{
          type: 'line', data: trend.values.map((v) => v[1]),
          markLine: ind.expected !== null ? { data: [{ yAxis: ind.expected, name: t('expected') }], label: { formatter: t('expected') } } : undefined,
        }],
      });
    }
    if (layer && layer.geojson.features.length) drawChoropleth(evalMapEl, layer, [], null, year);
    if (league) {
      const rowsL = [...league.rows].reverse();
      chart(leagueEl, {
        tooltip: {}, grid: { left: 110, right: 30, top: 10, bottom: 20 },
        xAxis: { type: 'value' },
        yAxis: { type: 'category', data: rowsL.map((r) => r.name) },
        series: [{ type: 'bar', data: rowsL.map((r) => r.value), itemStyle: { color: '#3182bd' } }],
      });
    }
  });
  return section;
}

// Utilisation counted from record-level data (visits, referrals, contracts, chronic disease,
// health records): the unit's value with numerator and denominator, then its sub-units'.
function utilisationTable(e) {
  const rows = e.utilisation || [];
  if (!rows.length) return null;
  const subs = rows[0].sub_units;
  const body = rows.map((r) => h('tr', { 'data-id': r.id },
    h('td', {}, pick(r.name_zh, r.name_en), r.plan_row ? h('span', { class: 'tag' }, t('planTarget')) : null),
    h('td', {}, r.value === null ? '—' : `${num(r.value)} ${unitText(r.unit)}`),
    h('td', {}, num(r.numerator)),
    h('td', {}, r.denominator === null ? '' : num(r.denominator)),
    ...r.sub_units.map((s) => h('td', {}, s[2] === null ? '—' : num(s[2])))));
  return h('div', {},
    h('h2', {}, t('utilisation')),
    h('p', { class: 'muted' }, t('utilisationHelp')),
    h('div', { class: 'scroll-x' },
      table([t('indicator'), t('actual'), t('numerator'), t('denominator'), ...subs.map((s) => s[1])], body, { id: 'utilisation-table' })));
}

async function viewMap(params) {
  const unit = params.get('unit') || config.home_unit;
  const indicator = params.get('indicator') || 'beds_per_1000';
  const year = params.get('year') || latestYear();
  const kinds = params.get('kinds') || '';
  const focus = params.get('focus');
  const q = { unit, indicator, year, kinds };
  const [layer, fac, unitInfo] = await Promise.all([
    api(`/api/map/choropleth?${new URLSearchParams({ unit, indicator, year })}`),
    api(`/api/facilities?${new URLSearchParams({ unit, year, page_size: 5000, ...(kinds ? { kind: kinds } : {}) })}`),
    api(`/api/units/${unit}?year=${year}`),
  ]);
  const mapEl = h('div', { class: 'map', id: 'map', role: 'img', 'aria-label': `${layer.unit_name} ${pick(layer.indicator_zh, layer.indicator_en)}` });
  const kindOptions = [['', t('all')], ...unitInfo.facilities_by_type.map((k) => [k.code, `${pick(k.zh, k.en)} (${k.count})`])];
  const located = fac.items.filter((f) => f.lon !== null);
  const section = h('section', {},
    h('h1', {}, `${layer.unit_name} · ${pick(layer.indicator_zh, layer.indicator_en)}${inParens(unitText(layer.value_unit))} · ${layer.year}`),
    h('div', { class: 'toolbar' },
      select('map-indicator', t('indicator'), unitInfo.indicators.map((r) => [r.id, pick(r.name_zh, r.name_en)]), indicator, (v) => go('map', { ...q, indicator: v })),
      select('map-year', t('year'), years().map((y) => [y, y]), year, (v) => go('map', { ...q, year: v })),
      select('map-kinds', t('facilityKinds'), kindOptions, kinds, (v) => go('map', { ...q, kinds: v }))),
    layer.schematic_boundaries ? h('p', { class: 'banner', 'data-kind': 'schematic_boundaries' }, t('schematic')) : null,
    h('p', { class: 'muted' }, t('tileNote')),
    h('div', { class: 'grid-map' },
      mapEl,
      h('div', {},
        h('h2', {}, t('legend')),
        legendList(layer, 'map-legend'),
        h('p', { id: 'facility-count' }, `${t('facilities')}: ${located.length}`),
        h('h2', {}, t('allAreas')),
        table([t('unit'), t('value')], layer.areas.map((a) => [h('a', { href: link('region', { year }, a.code) }, a.name), num(a.value)]), { id: 'map-areas' }))));
  onMount(() => drawChoropleth(mapEl, layer, located, focus, year));
  return section;
}

// The sub-units coloured by the layer's classes, with facility points (and a pin) on top.
function drawChoropleth(mapEl, layer, located = [], focus = null, year = null) {
  const name = `u${layer.unit}-${layer.indicator}`;
  echarts.registerMap(name, layer.geojson);
  const c = chart(mapEl, {
    tooltip: {
      trigger: 'item',
      formatter: (p) => (p.seriesType === 'scatter'
        ? (p.data.f ? `${p.data.f.name}<br>${pick(p.data.f.kind_zh, p.data.f.kind_en)} · ${p.data.f.grade_zh}<br>${t('unit')} ${p.data.f.unit}${p.data.f.beds !== null ? '<br>床位 beds ' + p.data.f.beds : ''}` : '')
        : `${p.name}<br>${num(p.value)}`),
    },
    geo: { map: name, roam: true, nameProperty: 'name', itemStyle: { borderColor: '#fff' }, emphasis: { label: { show: true } }, label: { show: true, fontSize: 10 } },
    visualMap: {
      type: 'piecewise', show: false, seriesIndex: 0,
      pieces: layer.legend.map((cl, i) => ({ gte: cl.min, lte: cl.max, color: CLASS_COLOURS[i], label: cl.label })),
      outOfRange: { color: '#ddd' },
    },
    series: [
      { type: 'map', geoIndex: 0, data: layer.areas.map((a) => ({ name: a.name, value: a.value })) },
      located.length ? {
        type: 'scatter', coordinateSystem: 'geo', symbolSize: 5, itemStyle: { color: '#d94801', borderColor: '#fff', borderWidth: 0.5 },
        data: located.map((f) => ({ name: f.name, value: [f.lon, f.lat], f })),
      } : null,
      focus ? { type: 'scatter', coordinateSystem: 'geo', symbol: 'pin', symbolSize: 30, itemStyle: { color: '#c00' }, data: [{ name: 'focus', value: focus.split(',').map(Number) }] } : null,
    ].filter(Boolean),
  });
  c.on('click', (p) => {
    if (p.seriesType === 'map') {
      const a = layer.areas.find((x) => x.name === p.name);
      if (a) go('region', year ? { year } : {}, a.code);
    }
  });
  return c;
}

function legendList(layer, id) {
  return h('ul', { class: 'legend', id }, layer.legend.map((c, i) => h('li', {}, h('span', { class: 'swatch', style: `background:${CLASS_COLOURS[i]}` }), `${c.label} (${c.count})`)),
    layer.areas.some((a) => a.value === null) ? h('li', {}, h('span', { class: 'swatch nodata' }), t('noData')) : null);
}

async function viewStandards(params) {
  const year = params.get('year') || latestYear();
  const unit = params.get('unit') || config.home_unit || '';
  const rule = params.get('rule') || '';
  const severity = params.get('severity') || '';
  const district = params.get('district') || '';
  const q = { year, unit, rule, severity, district };
  const r = await api(`/api/standards?${new URLSearchParams(Object.fromEntries(Object.entries(q).filter(([, v]) => v)))}`);
  const rules = Object.fromEntries(r.rules.map((x) => [x.id, x]));
  const chosen = rule && rules[rule];
  return h('section', {},
    h('h1', {}, pick(r.title_zh, r.title_en), ` · ${r.year}`),
    h('div', { class: 'toolbar' },
      select('std-year', t('year'), years().map((y) => [y, y]), year, (v) => go('standards', { ...q, year: v })),
      select('std-rule', t('rule'), [['', t('all')], ...r.rules.map((x) => [x.id, `${x.id} (${x.violations})`])], rule, (v) => go('standards', { ...q, rule: v })),
      select('std-severity', t('severity'), [['', t('all')], ['high', t('high')], ['medium', t('medium')], ['low', t('low')]], severity, (v) => go('standards', { ...q, severity: v })),
      select('std-district', t('district'), [['', t('all')], ...r.by_district.map((d) => [d.code, `${d.name} (${d.violations})`])], district, (v) => go('standards', { ...q, district: v }))),
    chosen ? h('blockquote', { class: 'quote' }, h('strong', {}, pick(chosen.statement_zh, chosen.statement_en)), h('br'), `${t('source')}: ${chosen.source}${chosen.section ? ' · ' + chosen.section : ''}`, chosen.quote ? h('p', {}, `“${chosen.quote}”`) : null) : null,
    h('p', {}, `${t('violations')}: ${r.violations.length}`),
    violationsTable(r, rules, unit, year, 'violations'),
    rulesFileForm(year, unit));
}

// The data-quality review: scores of a unit and its sub-units (drill down by clicking),
// a chart of the sub-units' scores, and the findings, filtered by check.
async function viewQuality(params) {
  const year = params.get('year') || latestYear();
  // the home unit when none is asked for (a store of several trees has no single root)
  const unit = params.get('unit') || config.home_unit || '';
  const check = params.get('check') || '';
  const q = { year, unit, check };
  const r = await api(`/api/quality?${new URLSearchParams({ year, ...(unit ? { unit } : {}) })}`);
  const dl = (format) => `/api/quality/report?${new URLSearchParams({ year, unit: r.unit, lang: getLang(), format })}`;
  // rounded down below 100, so 99.96 % of checks passed never reads as all of them
  const share = (v) => (v === null || v === undefined ? '—' : v >= 100 ? '100%' : `${(Math.floor(v * 10) / 10).toFixed(1)}%`);
  const pct = (s) => share(s.pct);
  const dims = ['completeness', 'internal_consistency', 'outliers', 'external_consistency'];
  const scoreRows = r.scores.map((s, i) => h('tr', { 'data-unit': s.unit },
    h('td', {}, i === 0 ? h('strong', {}, s.name) : h('a', { href: link('quality', { ...q, unit: s.unit }) }, s.name)),
    h('td', {}, `${s.facilities} / ${s.reporting}`),
    dims.map((d) => h('td', { class: 'n', title: `${s[d].passed} / ${s[d].checked}` }, pct(s[d]))),
    h('td', { class: 'n' }, share(s.score)),
    h('td', { class: 'n' }, String(s.findings))));
  const labels = Object.fromEntries(r.checks.map((c) => [c.code, c]));
  const shown = r.findings.filter((f) => !check || f.check === check);
  const findingRows = shown.map((f) => h('tr', {},
    h('td', {}, pick(labels[f.check].zh, labels[f.check].en)),
    h('td', {}, h('a', { href: link('region', {}, f.unit) }, f.unit_name), f.facility ? h('span', { class: 'muted' }, ` · ${f.facility_name} (${f.facility})`) : null),
    h('td', {}, String(f.year)),
    h('td', {}, pick(f.zh, f.en))));
  const chartEl = h('div', { class: 'chart tall', id: 'chart-quality' });
  const subs = r.scores.slice(1).filter((s) => s.score !== null);
  onMount(() => {
    if (!subs.length) return;
    const rows = [...subs].reverse();
    chart(chartEl, {
      tooltip: {}, grid: { left: 110, right: 30, top: 10, bottom: 20 },
      xAxis: { type: 'value', min: (v) => Math.max(0, Math.floor(v.min - 1)), max: 100 },
      yAxis: { type: 'category', data: rows.map((s) => s.name) },
      series: [{ type: 'bar', data: rows.map((s) => Number(s.score.toFixed(1))), itemStyle: { color: '#3182bd' } }],
    });
  });
  return h('section', {},
    h('h1', {}, t('quality'), ` · ${r.unit_name} · ${r.year}`),
    h('div', { class: 'toolbar' },
      select('q-year', t('year'), years().map((y) => [y, y]), year, (v) => go('quality', { ...q, year: v })),
      select('q-check', t('qualityCheck'), [['', t('all')], ...r.checks.map((c) => [c.code, `${pick(c.zh, c.en)} (${c.findings})`])], check, (v) => go('quality', { ...q, unit: r.unit, check: v }))),
    h('p', { class: 'muted' }, t('qualityHelp')),
    r.plans_compared.length ? h('p', { class: 'muted small' }, `${t('plansCompared')}: ${r.plans_compared.join(', ')}`) : null,
    h('p', { class: 'downloads' },
      h('a', { href: dl('html'), download: true }, t('downloadQualityHtml')), ' · ',
      h('a', { href: dl('xlsx'), download: true }, t('downloadXlsx')), ' · ',
      h('a', { href: dl('csv'), download: true }, t('downloadCsv'))),
    table([t('unit'), t('facilitiesReporting'), ...r.dimensions.map((d) => pick(d.zh, d.en)), t('qualityScore'), t('findings')], scoreRows, { id: 'quality-scores' }),
    subs.length ? chartEl : null,
    h('h2', {}, t('findings'), ` · ${shown.length}`),
    shown.length ? table([t('qualityCheck'), t('place'), t('year'), t('finding')], findingRows, { id: 'quality-findings' })
      : h('p', { id: 'quality-findings' }, t('noFindings')));
}

function violationsTable(r, rules, unit, year, id) {
  return table([t('severity'), t('rule'), t('place'), t('observed'), t('required'), t('shortfall'), ''], r.violations.map((v) => {
      const rr = rules[v.rule];
      return h('tr', {},
        h('td', {}, h('span', { class: `badge ${v.severity === 'high' ? 'bad' : v.severity === 'medium' ? 'warn' : 'none'}` }, t(v.severity))),
        h('td', {}, h('details', {}, h('summary', {}, v.rule), rr ? h('div', {}, pick(rr.statement_zh, rr.statement_en), h('br'), h('span', { class: 'muted' }, `${t('source')}: ${rr.source}`), rr.quote ? h('p', { class: 'quote' }, `“${rr.quote}”`) : null) : null)),
        h('td', {}, v.place_name, v.district_name && !v.place_name.includes(v.district_name) ? h('span', { class: 'muted' }, ` · ${v.district_name}`) : null),
        h('td', {}, v.observed), h('td', {}, v.required), h('td', {}, pick(v.shortfall_zh, v.shortfall_en)),
        h('td', {}, v.lon !== null ? h('a', { href: link('map', { unit: v.district || unit, year, focus: `${v.lon},${v.lat}` }) }, t('onMap')) : ''));
    }), { id });
}

// Checks the store against a standards file of the user's (TOML, the seed library's format).
function rulesFileForm(year, unit) {
  const out = h('div', { id: 'rules-result', 'aria-live': 'polite' });
  const file = h('input', { id: 'rules-file', type: 'file', accept: '.toml', required: true });
  return h('div', {},
    h('h2', {}, t('ownRules')),
    h('form', {
      id: 'rules-form',
      onsubmit: async (e) => {
        e.preventDefault();
        out.replaceChildren();
        const f = file.files[0];
        if (!f) return;
        try {
          const r = await api('/api/standards/check', {
            method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ file: f.name, text: await f.text(), year: Number(year), ...(unit ? { unit } : {}) }),
          });
          const rules = Object.fromEntries(r.rules.map((x) => [x.id, x]));
          out.append(h('p', {}, `${pick(r.title_zh, r.title_en)} · ${t('violations')}: ${r.violations.length}`), violationsTable(r, rules, unit, year, 'own-violations'));
        } catch (err) { out.append(errorBox(err)); }
      },
    }, h('label', { for: 'rules-file' }, t('file'), ' '), file, ' ', h('button', { type: 'submit', id: 'rules-btn' }, t('check'))),
    out);
}

function sitingMap(el, s) {
  const pts = (arr, pred) => arr.filter(pred).map((p) => [p.lon, p.lat, p.population, p.id]);
  chart(el, {
    tooltip: { formatter: (p) => `${p.seriesName}<br>${p.value[3] || ''}${p.value[2] ? ' · ' + num(p.value[2], 0) : ''}` },
    legend: { top: 0 },
    xAxis: { type: 'value', scale: true, show: false }, yAxis: { type: 'value', scale: true, show: false },
    grid: { left: 5, right: 5, top: 30, bottom: 5 },
    series: [
      { name: t('coveredAfter'), type: 'scatter', symbolSize: 4, itemStyle: { color: '#74c476' }, data: pts(s.demand, (p) => p.covered_after) },
      { name: t('uncovered'), type: 'scatter', symbolSize: 4, itemStyle: { color: '#bdbdbd' }, data: pts(s.demand, (p) => !p.covered_after) },
      { name: t('existing'), type: 'scatter', symbol: 'rect', symbolSize: 7, itemStyle: { color: '#3182bd' }, data: pts(s.existing_sites, () => true) },
      { name: t('newSites'), type: 'scatter', symbol: 'diamond', symbolSize: 16, itemStyle: { color: '#d94801' }, data: s.new_sites.map((n) => [n.lon, n.lat, n.residents, n.id]) },
    ],
  });
}

function scenarioView(s) {
  const mapEl = h('div', { class: 'map', id: 'siting-map' });
  const el = h('div', { id: 'scenario' },
    h('h2', {}, s.name),
    s.synthetic_demand ? h('p', { class: 'banner' }, t('synthetic')) : null,
    h('p', {}, `${t('objective')} ${num(s.objective)} · ${t('gapPct')} ${num(s.gap * 100, 3)}% · ${s.method}`),
    h('h3', {}, t('newSites')),
    table(['id', 'lon', 'lat', t('unit'), t('residents')], s.new_sites.map((n) => [n.id, num(n.lon, 5), num(n.lat, 5), n.unit_name || n.unit, num(n.residents, 0)]), { id: 'new-sites' }),
    h('h3', {}, `${t('coverageMap')} (≤ ${s.minutes} min)`),
    table([t('unit'), t('population'), t('before'), t('after')], s.coverage.map((u) => [u.unit ? (u.name || u.unit) : t('total'), num(u.population, 0), `${num(u.covered_before_pct, 1)}%`, `${num(u.covered_after_pct, 1)}%`]), { id: 'coverage-table' }),
    s.demand && s.demand.length ? mapEl : null);
  if (s.demand && s.demand.length) onMount(() => sitingMap(mapEl, s));
  return el;
}

async function viewSiting(params) {
  if (!config.siting) return h('section', {}, h('h1', {}, t('siting')), h('p', {}, 'hsplan serve --inputs DIR'));
  const list = await api('/api/scenarios');
  const out = h('div', { id: 'siting-result', 'aria-live': 'polite' });
  const progress = h('progress', { id: 'siting-progress', max: 1, value: 0, hidden: true, 'aria-label': t('progress') });
  const stateEl = h('span', { id: 'siting-state' });
  const f = {
    model: h('select', { id: 's-model' }, ['mclp', 'lscp', 'pmedian', 'pcenter'].map((m) => h('option', { value: m }, t(m)))),
    p: h('input', { id: 's-p', type: 'number', min: 1, value: 3, required: true }),
    minutes: h('input', { id: 's-minutes', type: 'number', min: 0.1, step: 0.1, value: 10 }),
    spacing: h('input', { id: 's-spacing', type: 'number', min: 50, step: 50, value: 1000 }),
    uncovered: h('input', { id: 's-uncovered', type: 'checkbox', checked: true }),
    file: h('input', { id: 's-file', type: 'file', accept: '.csv' }),
    name: h('input', { id: 's-name', type: 'text', pattern: '[A-Za-z0-9_.\\-]+', placeholder: 'mclp-3' }),
  };
  const cancelBtn = h('button', { type: 'button', disabled: true }, t('cancel'));
  const form = h('form', {
    id: 'siting-form',
    onsubmit: async (e) => {
      e.preventDefault();
      out.replaceChildren();
      const body = {
        model: f.model.value, p: Number(f.p.value), minutes: Number(f.minutes.value),
        candidate_spacing: Number(f.spacing.value), uncovered_only: f.uncovered.checked, lang: getLang(),
      };
      if (f.name.value) body.name = f.name.value;
      if (f.file.files.length) body.candidates_csv = await f.file.files[0].text();
      await runJob('/api/jobs/siting', body, { progress, stateEl, cancelBtn, out }, (result) => {
        out.append(scenarioView(result));
        flushMounted();
        refreshList();
      });
    },
  },
  h('label', { for: 's-model' }, t('model')), f.model,
  h('label', { for: 's-p' }, t('p')), f.p,
  h('label', { for: 's-minutes' }, t('minutes')), f.minutes,
  h('label', { for: 's-spacing' }, t('spacing')), f.spacing,
  h('label', { for: 's-uncovered' }, t('uncoveredOnly')), f.uncovered,
  h('label', { for: 's-file' }, t('candidatesFile')), f.file,
  h('label', { for: 's-name' }, 'name'), f.name,
  h('div', {}, h('button', { type: 'submit', id: 's-run' }, t('run')), ' ', cancelBtn, ' ', progress, ' ', stateEl));
  const listEl = h('div', { id: 'scenario-list' });
  const compareEl = h('div', { id: 'compare' });
  async function refreshList() {
    const items = await api('/api/scenarios');
    listEl.replaceChildren(scenarioList(items, compareEl));
  }
  listEl.append(scenarioList(list, compareEl));
  const shown = params.get('scenario');
  if (shown) {
    try { out.append(scenarioView(await api(`/api/scenarios/${encodeURIComponent(shown)}`))); } catch (err) { out.append(errorBox(err)); }
  }
  return h('section', {}, h('h1', {}, t('siting')), accessSection(), h('h2', {}, t('sitingTitle')), form, out, h('h2', {}, t('scenarios')), listEl, compareEl);
}

// Starts a job, follows its progress over Server-Sent Events, and hands its result on.
async function runJob(path, body, ui, onDone) {
  const { progress, stateEl, cancelBtn, out } = ui;
  try {
    const job = await api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    progress.hidden = false;
    cancelBtn.disabled = false;
    cancelBtn.onclick = () => api(`/api/jobs/${job.id}/cancel`, { method: 'POST' }).catch(() => {});
    stateEl.textContent = t('running');
    const ev = new EventSource(`/api/jobs/${job.id}/events`);
    const show = (info) => {
      progress.max = Math.max(1, info.total);
      progress.value = info.done;
      stateEl.textContent = `${t(info.state)} · ${t('stage_' + info.stage)} · ${num(info.seconds, 1)} s`;
    };
    ev.addEventListener('progress', (m) => show(JSON.parse(m.data)));
    ev.addEventListener('end', (m) => {
      ev.close();
      const info = JSON.parse(m.data);
      show(info);
      cancelBtn.disabled = true;
      if (info.state === 'done') onDone(info.result);
      else if (info.error) out.append(errorBox({ problem: info.error }));
    });
  } catch (err) { out.append(errorBox(err)); }
}

function accessMap(el, r) {
  const iso = r.isochrones;
  const COLOURS = ['#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c'];
  const series = [];
  let geo;
  if (iso && iso.features.length) {
    echarts.registerMap('isochrones', { type: 'FeatureCollection', features: [...iso.features].reverse() });
    geo = { map: 'isochrones', roam: true, itemStyle: { areaColor: '#eee', borderColor: '#fff' }, regions: iso.features.map((f, i) => ({ name: f.properties.name, itemStyle: { areaColor: COLOURS[Math.min(i, COLOURS.length - 1)], opacity: 0.8 } })) };
  }
  const cs = geo ? { coordinateSystem: 'geo' } : {};
  series.push({ name: t('demand'), type: 'scatter', ...cs, symbolSize: 5, itemStyle: { color: '#636363' }, data: r.points.map((p) => [p.lon, p.lat, p.minutes, p.id]) });
  series.push({ name: t('existing'), type: 'scatter', ...cs, symbol: 'rect', symbolSize: 7, itemStyle: { color: '#d94801' }, data: r.facilities.map((f) => [f.lon, f.lat, null, f.id]) });
  return chart(el, {
    tooltip: { formatter: (p) => (p.seriesType === 'scatter' ? `${p.seriesName}<br>${p.value[3]}${p.value[2] !== null && p.value[2] !== undefined ? ' · ' + num(p.value[2], 1) + ' min' : ''}` : p.name) },
    legend: { top: 0 },
    ...(geo ? { geo } : { xAxis: { type: 'value', scale: true, show: false }, yAxis: { type: 'value', scale: true, show: false } }),
    series,
  });
}

function accessSection() {
  const out = h('div', { id: 'access-result', 'aria-live': 'polite' });
  const progress = h('progress', { id: 'access-progress', max: 1, value: 0, hidden: true, 'aria-label': t('progress') });
  const stateEl = h('span', { id: 'access-state' });
  const cancelBtn = h('button', { type: 'button', disabled: true }, t('cancel'));
  const f = {
    thresholds: h('input', { id: 'a-thresholds', type: 'text', value: '15,30', pattern: '[0-9., ]+', required: true }),
    kinds: h('input', { id: 'a-kinds', type: 'text', placeholder: 'general_hospital,community_health_centre' }),
    iso: h('input', { id: 'a-iso', type: 'checkbox', checked: true }),
    cell: h('input', { id: 'a-cell', type: 'number', min: 10, step: 10, value: 300 }),
  };
  const form = h('form', {
    id: 'access-form',
    onsubmit: async (e) => {
      e.preventDefault();
      out.replaceChildren();
      const body = {
        thresholds: f.thresholds.value.split(/[ ,]+/).filter(Boolean).map(Number),
        kinds: f.kinds.value.split(/[ ,]+/).filter(Boolean),
      };
      if (f.iso.checked) body.isochrone_cell_m = Number(f.cell.value);
      await runJob('/api/jobs/access', body, { progress, stateEl, cancelBtn, out }, (r) => {
        const c = r.coverage;
        const mapEl = h('div', { class: 'map', id: 'access-map' });
        if (r.synthetic_demand) out.append(h('p', { class: 'banner' }, t('synthetic')));
        out.append(
          table([t('unit'), t('population'), ...c.thresholds_min.map((m) => `≤ ${m} min`)],
            [...c.units, { ...c.total, unit: '' }].map((u) => [u.unit ? (r.unit_names[u.unit] || u.unit) : t('total'), num(u.population, 0), ...u.share_pct.map((x) => `${num(x, 1)}%`)]), { id: 'access-table' }),
          mapEl);
        onMount(() => accessMap(mapEl, r));
        flushMounted();
      });
    },
  },
  h('label', { for: 'a-thresholds' }, t('thresholds')), f.thresholds,
  h('label', { for: 'a-kinds' }, t('facilityKinds')), f.kinds,
  h('label', { for: 'a-iso' }, t('isochrones')), f.iso,
  h('label', { for: 'a-cell' }, t('cell')), f.cell,
  h('div', {}, h('button', { type: 'submit', id: 'a-run' }, t('run')), ' ', cancelBtn, ' ', progress, ' ', stateEl));
  return h('div', {}, h('h2', {}, t('accessTitle')), form, out);
}

function scenarioList(items, compareEl) {
  const boxes = items.map((s) => h('input', { type: 'checkbox', value: s.name, id: `cmp-${s.name}`, 'aria-label': s.name }));
  const kind = h('input', { id: 'apply-kind', value: 'community_health_centre' });
  const year = h('input', { id: 'apply-year', type: 'number', value: latestYear() + 1 });
  const msg = h('div', { 'aria-live': 'polite' });
  return h('div', {},
    table(['', t('model'), t('newSites'), t('after'), ''], items.map((s, i) => [
      boxes[i], s.model, s.new_sites, `${num(s.covered_after_pct, 1)}%`,
      h('span', {}, h('a', { href: link('siting', { scenario: s.name }) }, s.name), ' ',
        h('button', {
          type: 'button',
          onclick: async () => {
            msg.replaceChildren();
            try {
              const r = await api(`/api/scenarios/${encodeURIComponent(s.name)}/apply`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: kind.value, year: Number(year.value) }) });
              msg.append(h('p', {}, `${t('applied')}: ${r.facilities} ${t('facilities')}`));
            } catch (err) { msg.append(errorBox(err)); }
          },
        }, t('apply')))]), { id: 'scenarios' }),
    h('p', {}, h('label', { for: 'apply-kind' }, t('applyKind'), ' '), kind, ' ', h('label', { for: 'apply-year' }, t('applyYear'), ' '), year),
    msg,
    h('button', {
      type: 'button', id: 'compare-btn',
      onclick: async () => {
        const names = boxes.filter((b) => b.checked).map((b) => b.value);
        const all = await Promise.all(names.map((n) => api(`/api/scenarios/${encodeURIComponent(n)}`)));
        const units = [...new Set(all.flatMap((s) => s.coverage.map((u) => u.unit)))];
        compareEl.replaceChildren(table(['', ...all.map((s) => s.name)], [
          [t('model'), ...all.map((s) => s.model)],
          [t('newSites'), ...all.map((s) => s.new_sites.length)],
          [t('objective'), ...all.map((s) => num(s.objective))],
          [t('gapPct'), ...all.map((s) => `${num(s.gap * 100, 3)}%`)],
          ...units.map((u) => [u ? (all.flatMap((s) => s.coverage).find((c) => c.unit === u).name || u) : t('total'),
            ...all.map((s) => { const c = s.coverage.find((x) => x.unit === u); return c ? `${num(c.covered_before_pct, 1)} → ${num(c.covered_after_pct, 1)}%` : '—'; })]),
        ], { id: 'compare-table' }));
      },
    }, t('compare')));
}

// The plans naming `id` as their parent, side by side with it, measured on the latest year:
// nothing when none does or the reader may not see the whole jurisdiction (404).
async function childPlans(id, plans) {
  const year = latestYear();
  let c;
  try {
    c = await api(`/api/plans/${id}/compare?year=${year}`);
  } catch (e) {
    if (e.problem?.status === 404) return null;
    return errorBox(e);
  }
  const title = (pid) => {
    const p = plans.find((x) => x.id === pid);
    return p ? pick(p.title_zh, p.title_en) : pid;
  };
  return h('div', { id: 'child-plans' },
    h('h2', {}, t('childPlans'), ` · ${c.year}`),
    h('p', { class: 'muted' }, t('childPlansIntro')),
    c.indicators.map((i) => h('div', { class: 'child-indicator' },
      h('h3', {}, pick(i.name_zh, i.name_en), ' ', h('span', { class: 'muted' }, `${i.parent.target} (${i.parent.year})`)),
      table([t('plan'), t('target'), ''], i.children.map((s) => [title(s.plan), `${s.target} (${s.year})`, t(`ambition_${s.ambition}`)])),
      i.units.length ? table([t('unit'), t('actual'), t('gapToParent'), t('gapShare'), t('hasPlan')],
        [...i.units].sort((a, b) => (b.share_pct ?? -1) - (a.share_pct ?? -1)).map((u) => [
          u.name, num(u.value), num(u.gap, 0), u.share_pct == null ? '—' : `${num(u.share_pct, 1)}%`, u.has_plan ? '✓' : '']),
        { class: 'child-units' }) : null)));
}

async function viewPlans(params) {
  const plans = await api('/api/plans');
  const id = params.get('plan') || config.home_plan || plans[0].id;
  const [p, ledger] = await Promise.all([api(`/api/plans/${id}`), api(`/api/plans/${id}/ledger`)]);
  const natureEl = h('div', { class: 'chart small', id: 'chart-nature' });
  const leadEl = h('div', { class: 'chart tall', id: 'chart-lead' });
  const tbl = (x, id) => (x.rows.length ? table(x.headers, x.rows, { id }) : h('p', { class: 'muted' }, '—'));
  const childPlansEl = await childPlans(id, plans);
  const section = h('section', {},
    h('div', { class: 'toolbar' }, select('plan-id', t('plan'), plans.map((x) => [x.id, pick(x.title_zh, x.title_en)]), id, (v) => go('plans', { plan: v }))),
    h('h1', {}, pick(p.plan.title_zh, p.plan.title_en)),
    h('p', { class: 'muted' }, `${p.plan.jurisdiction} · ${p.plan.baseline_year ?? ''} → ${p.plan.target_years.join(', ')} · `,
      h('a', { href: link('planfile', { plan: id }), id: 'plan-source-link' }, t('planSource'))),
    h('h2', {}, t('lint'), ` (${p.findings.length})`),
    p.findings.length ? table([t('severity'), t('rule'), t('place'), ''], p.findings.map((f) => [f.severity, f.rule, h('code', {}, f.location), pick(f.message_zh, f.message_en)]), { id: 'findings' }) : h('p', {}, '✓'),
    h('h2', {}, t('indicators')), tbl(p.indicators, 'plan-indicators'),
    p.quotas.rows.length ? [h('h2', {}, '配置'), tbl(p.quotas, 'plan-quotas')] : null,
    h('h2', {}, t('projects'), ` (${ledger.projects.total.count})`),
    ledger.projects.total.count ? h('p', {}, `${t('investment')}: ${num(ledger.projects.total.investment_10k_yuan)}`) : null,
    ledger.projects.total.count ? natureEl : null,
    tbl(p.projects, 'plan-projects'),
    h('h2', {}, t('tasks'), ` (${ledger.tasks.count})`),
    ledger.tasks.count || ledger.projects.total.count ? h('p', {}, h('a', { href: link('tasks', { plan: id }), id: 'task-board-link' }, t('taskBoard'))) : null,
    ledger.tasks.count ? leadEl : null,
    tbl(p.tasks, 'plan-tasks'),
    h('h2', {}, '文本目标 / text targets'), tbl(p.text_targets, 'plan-text-targets'),
    childPlansEl);
  onMount(() => {
    if (ledger.projects.total.count) {
      const by = Object.entries(ledger.projects.by_nature);
      chart(natureEl, {
        tooltip: {}, grid: { left: 80, right: 20, top: 10, bottom: 20 },
        xAxis: { type: 'value' }, yAxis: { type: 'category', data: by.map(([k]) => k) },
        series: [{ type: 'bar', data: by.map(([, g]) => g.investment_10k_yuan), itemStyle: { color: '#3182bd' } }],
      });
    }
    if (ledger.tasks.count) {
      const by = Object.entries(ledger.tasks.by_lead_unit).sort((a, b) => a[1] - b[1]);
      chart(leadEl, {
        tooltip: {}, grid: { left: 160, right: 20, top: 10, bottom: 20 },
        xAxis: { type: 'value', minInterval: 1 }, yAxis: { type: 'category', data: by.map(([k]) => k) },
        series: [{ type: 'bar', data: by.map(([, n]) => n), itemStyle: { color: '#6baed6' } }],
      });
    }
  });
  return section;
}

async function viewData() {
  const out = h('div', { id: 'upload-result', 'aria-live': 'polite' });
  const kind = h('select', { id: 'upload-kind' }, ['facilities', 'resources', 'population', 'units', 'geojson', 'fhir', 'dhis2-metadata'].map((k) => h('option', { value: k }, k)));
  const file = h('input', { id: 'upload-file', type: 'file', accept: '.csv,.xlsx,.geojson,.json', required: true });
  const form = h('form', {
    id: 'upload-form',
    onsubmit: async (e) => {
      e.preventDefault();
      out.replaceChildren();
      const f = file.files[0];
      if (!f) return;
      try {
        const r = await api(`/api/imports/${kind.value}?file=${encodeURIComponent(f.name)}`, { method: 'POST', body: await f.arrayBuffer(), headers: { 'content-type': 'application/octet-stream' } });
        out.append(h('p', { class: 'ok-box' }, `${t('imported')}: ${Object.entries(r).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(', ') || 0}`));
        status = await api('/api/status');
      } catch (err) {
        out.append(errorBox(err), h('p', {}, t('nothingImported')));
      }
    },
  }, h('label', { for: 'upload-kind' }, t('uploadKind')), kind, h('label', { for: 'upload-file' }, t('file')), file, h('button', { type: 'submit', id: 'upload-btn' }, t('upload')));
  const ex = (k) => h('li', {}, `${t(k)}: `, h('a', { href: `/api/exports/${k}?format=csv`, download: true }, 'CSV'), ' · ', h('a', { href: `/api/exports/${k}?format=xlsx`, download: true }, 'XLSX'));
  return h('section', {}, h('h1', {}, t('data')), h('h2', {}, t('upload')), form, out,
    h('h2', {}, t('export')), h('ul', {}, ex('units'), ex('population'), ex('facilities'), ex('resources'),
      h('li', {}, h('a', { href: '/api/exports/geojson', download: true }, t('geojson'))),
      h('li', {}, h('a', { href: '/api/exports/fhir', download: true, id: 'export-fhir' }, t('fhirBundle'))),
      h('li', {}, h('a', { href: '/api/exports/dhis2-metadata', download: true, id: 'export-dhis2-metadata' }, t('dhis2Metadata')))));
}


// ---------- shared server: sign-in, data entry, approval, audit ----------
function can(action) {
  return !config.accounts || (me && me.actions.includes(action));
}

function renderLogin(message) {
  const main = document.getElementById('app');
  document.getElementById('header').replaceChildren(h('nav', { class: 'top', 'aria-label': 'main' }, h('strong', { class: 'brand' }, 'hsplan'),
    h('button', { type: 'button', id: 'lang-switch', onclick: () => { const l = getLang() === 'en' ? 'zh-CN' : 'en'; localStorage.setItem('hsplan-lang', l); setLang(l); renderLogin(); } }, t('lang'))));
  const out = h('div', { 'aria-live': 'polite' }, message ? h('div', { class: 'error', role: 'alert' }, message) : null);
  const user = h('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', {
    id: 'login-form', class: 'login',
    onsubmit: async (e) => {
      e.preventDefault();
      out.replaceChildren();
      try {
        const r = await api('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: user.value, password: password.value }) });
        csrf = r.csrf;
        sessionStorage.setItem('hsplan-csrf', csrf);
        await afterSignIn();
        await render();
      } catch (err) { out.append(errorBox(err)); }
    },
  }, h('h1', {}, t('signInTitle')),
  h('label', { for: 'login-user' }, t('userName')), user,
  h('label', { for: 'login-password' }, t('password')), password,
  h('button', { type: 'submit', id: 'login-btn' }, t('signIn')));
  main.replaceChildren(form, out);
  main.setAttribute('aria-busy', 'false');
  document.title = `${t('signIn')} · hsplan`;
}

async function afterSignIn() {
  me = await api('/api/me');
  if (me.home) config.home_unit = me.home;
  status = await api('/api/status');
}

async function signOut() {
  try { await api('/api/session', { method: 'DELETE' }); } catch (e) { /* the session may have ended already */ }
  me = null;
  csrf = null;
  sessionStorage.removeItem('hsplan-csrf');
  renderLogin();
}

function stateText(s) {
  return h('span', { class: `state ${s}` }, t(`state_${s}`));
}

async function viewEntry(arg, params) {
  const year = params.get('year') || latestYear();
  if (!arg) {
    const unit = params.get('unit') || config.home_unit;
    const page = await api(`/api/facilities?unit=${unit}&year=${year}&limit=500`);
    return h('section', {}, h('h1', {}, t('entry')),
      h('div', { class: 'toolbar' }, select('entry-year', t('year'), years().map((y) => [y, y]), year, (v) => go('entry', { unit, year: v }))),
      h('h2', {}, t('chooseFacility')),
      table([t('facilities'), t('kind'), 'ID'], page.items.map((f) => [h('a', { href: link('entry', { year }, f.id) }, f.name), pick(f.kind_zh, f.kind_en), f.id]), { id: 'entry-list' }));
  }
  const form = await api(`/api/facilities/${encodeURIComponent(arg)}/years/${year}`);
  const out = h('div', { id: 'save-result', 'aria-live': 'polite' });
  const inputs = {};
  const qrows = form.quantities.map((q) => {
    const input = h('input', { type: 'number', min: 0, step: 1, inputmode: 'numeric', id: `q-${q.code}`, name: q.code, value: q.value ?? '', disabled: !form.editable, 'aria-label': pick(q.zh, q.en) });
    inputs[q.code] = input;
    return h('tr', { class: q.part_of ? 'part' : '' }, h('td', {}, q.part_of ? '　' : '', pick(q.zh, q.en)), h('td', { class: 'num' }, num(q.previous)), h('td', {}, input));
  });
  const caps = form.capabilities.map((c) => h('label', { class: 'cap' },
    h('input', { type: 'checkbox', name: c.code, id: `c-${c.code}`, checked: c.present, disabled: !form.editable }), ' ', pick(c.zh, c.en)));
  const body = (confirm) => {
    const quantities = {};
    for (const [code, input] of Object.entries(inputs)) if (input.value !== '') quantities[code] = Number(input.value);
    const capabilities = form.capabilities.filter((c) => document.getElementById(`c-${c.code}`).checked).map((c) => c.code);
    return JSON.stringify({ version: form.version, quantities, capabilities, confirm_jumps: confirm });
  };
  const save = async (confirm) => {
    out.replaceChildren();
    const r = await fetch(`/api/facilities/${encodeURIComponent(arg)}/years/${year}`, { method: 'PUT', headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) }, body: body(confirm) });
    const v = await r.json();
    if (r.ok) {
      form.version = v.version;
      out.append(h('p', { class: 'ok-box', id: 'saved' }, `${t('saved')} ${v.version}`));
    } else if (v.outcome === 'confirm_jumps') {
      out.append(h('div', { class: 'warn-box', id: 'jumps' }, h('p', {}, t('jumpsFound')),
        h('ul', {}, v.jumps.map((j) => h('li', {}, `${j.quantity}: ${num(j.previous)} → ${num(j.value)}${j.change_percent !== null ? ` (${j.change_percent > 0 ? '+' : ''}${num(j.change_percent, 1)} %)` : ''}`))),
        h('button', { type: 'button', id: 'confirm-save', onclick: () => save(true) }, t('confirmSave'))));
    } else if (v.outcome === 'stale') {
      out.append(h('div', { class: 'error', role: 'alert', id: 'stale' }, h('p', {}, t('staleSave')),
        table([t('quantity'), t('stored'), t('yours')], v.changes.map((c) => [c.field, c.stored ?? '—', c.yours ?? '—'])),
        h('button', { type: 'button', onclick: () => render() }, t('reloadForm'))));
    } else {
      out.append(errorBox({ problem: v }));
    }
  };
  return h('section', {},
    h('h1', {}, `${form.name} · ${form.year}`),
    h('p', {}, `${form.unit_name} (${form.unit}) · ${t('approvalState')}: `, stateText(form.approval), ` · ${t('version')} ${form.version}`),
    form.editable ? null : h('p', { class: 'warn-box' }, t('notEditable')),
    h('form', { id: 'entry-form', onsubmit: (e) => { e.preventDefault(); save(false); } },
      table([t('quantity'), t('previousYear'), t('thisYear')], qrows, { id: 'entry-table' }),
      h('h2', {}, t('capabilities')), h('div', { class: 'caps' }, caps),
      form.editable ? h('button', { type: 'submit', id: 'save-btn' }, t('save')) : null),
    out);
}

async function viewApprovals(params) {
  const unit = params.get('unit') || config.home_unit;
  const year = params.get('year') || latestYear();
  const board = await api(`/api/approvals?unit=${unit}&year=${year}`);
  const out = h('div', { 'aria-live': 'polite' });
  const reason = h('input', { id: 'step-reason', placeholder: t('reasonNeeded'), 'aria-label': t('reason') });
  const step = async (u, action) => {
    out.replaceChildren();
    try {
      await api(`/api/approvals/${u}/${year}/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: reason.value || null }) });
      await render();
    } catch (err) { out.append(errorBox(err)); }
  };
  const rows = board.map((b, i) => h('tr', { 'data-unit': b.unit },
    h('td', {}, i === 0 ? h('strong', {}, b.unit_name) : h('a', { href: link('approvals', { unit: b.unit, year }) }, b.unit_name)),
    h('td', {}, stateText(b.state)), h('td', {}, stateText(b.governing)),
    h('td', { class: 'num' }, `${num(b.reported)} / ${num(b.facilities)}`),
    h('td', {}, b.changed_by || '—'), h('td', {}, b.reason || ''),
    h('td', {}, b.steps.map((s) => h('button', { type: 'button', class: `step ${s}`, id: `step-${s}-${b.unit}`, onclick: () => step(b.unit, s) }, t(`step_${s}`))))));
  return h('section', {}, h('h1', {}, t('approvals')),
    h('div', { class: 'toolbar' }, select('approvals-year', t('year'), years().map((y) => [y, y]), year, (v) => go('approvals', { unit, year: v })),
      h('label', { for: 'step-reason' }, t('reason'), ' ', reason)),
    table([t('unit'), t('approvalState'), t('governing'), t('reported'), t('changedBy'), t('reason'), t('steps')], rows, { id: 'approvals-table' }),
    out,
    h('p', {}, h('a', { href: link('entry', { unit, year }) }, t('entry'))));
}

async function viewAudit(params) {
  const after = params.get('after') || 0;
  const entries = await api(`/api/audit?after=${after}&limit=200`);
  // what changed, field by field (the full records stay in the CSV)
  const change = (e) => {
    let before; let after;
    try { before = JSON.parse(e.before); after = JSON.parse(e.after); } catch (err) { return h('code', {}, `${e.before} → ${e.after}`); }
    const flat = (o) => {
      const out = {};
      if (!o || typeof o !== 'object') return out;
      for (const [k, v] of Object.entries(o)) {
        if (k === 'quantities' && v && typeof v === 'object') Object.assign(out, v);
        else if (k === 'capabilities' && Array.isArray(v)) v.forEach((c) => { out[c] = '✓'; });
        else if (k !== 'facility' && k !== 'year') out[k] = typeof v === 'object' && v !== null ? JSON.stringify(v) : v;
      }
      return out;
    };
    const a = flat(before); const b = flat(after);
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => (a[k] ?? null) !== (b[k] ?? null));
    if (!keys.length) return h('code', {}, '—');
    return h('ul', { class: 'changes' }, keys.map((k) => h('li', {}, h('code', {}, `${k}: ${a[k] ?? '—'} → ${b[k] ?? '—'}`))));
  };
  return h('section', {}, h('h1', {}, t('audit')),
    h('p', {}, h('a', { href: '/api/audit/export', download: true }, t('downloadCsv'))),
    table(['#', t('when'), t('actor'), t('address'), t('actionCol'), t('targetCol'), t('change')],
      entries.map((e) => [e.seq, e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), e.actor, e.address, e.action, e.target, change(e)]), { id: 'audit-table' }),
    entries.length === 200 ? h('p', {}, h('a', { href: link('audit', { after: entries[entries.length - 1].seq }) }, '→')) : null);
}


// An evaluation status as the evaluation page shows it.
function evalBadge(s) {
  return h('span', { class: `badge ${STATUS_CLASS[s]}` }, statusText(s));
}

function wstatus(s) {
  return h('span', { class: `wstatus ${s}` }, t(`wstatus_${s}`));
}

async function viewTasks(arg, params) {
  const plans = await api('/api/plans');
  const plan = params.get('plan') || 'dadukou-service-system-2027';
  const board = await api(`/api/plans/${plan}/tasks`);
  if (arg) return taskDetail(plan, board, arg);
  const items = board.items.map((i) => h('tr', { class: i.overdue ? 'overdue' : '', 'data-item': i.id },
    h('td', {}, i.kind === 'task' ? i.number : `${i.section} ${i.number}`),
    h('td', {}, h('a', { href: link('tasks', { plan }, i.id) }, i.title)),
    h('td', {}, i.lead || '—'),
    h('td', {}, i.deadline, i.overdue ? h('span', { class: 'badge bad' }, t('overdue')) : null),
    h('td', {}, wstatus(i.status)),
    h('td', {}, i.derived_status ? evalBadge(i.derived_status) : '—'),
    h('td', {}, i.latest ? `${i.latest.reported_on} ${i.latest.org}: ${i.latest.text}` : ''),
    h('td', {}, i.serves.map((x) => h('div', { class: 'muted' }, pick(x.name_zh, x.name_en), x.target ? ` ${x.target}` : '', x.status ? [' ', evalBadge(x.status)] : '')))));
  return h('section', {},
    h('div', { class: 'toolbar' }, select('tasks-plan', t('plan'), plans.map((x) => [x.id, pick(x.title_zh, x.title_en)]), plan, (v) => go('tasks', { plan: v }))),
    h('h1', {}, t('taskBoard')),
    h('p', {}, `${board.today} · ${t('overdue')}: ${board.overdue.length} / ${board.items.length}`,
      board.year ? ` · ${t('targetsStatusYear')} ${board.year}` : ''),
    board.units.length ? table([t('org'), t('leads'), t('wstatus_done'), t('wstatus_in_progress'), t('wstatus_not_started'), t('wstatus_blocked'), t('overdue'), t('participates')],
      board.units.map((u) => [u.org, u.leads, u.done, u.in_progress, u.not_started, u.blocked, u.overdue, u.participates]), { id: 'units-table' }) : null,
    table(['#', t('tasks'), t('lead'), t('deadline'), t('status'), t('derivedStatus'), t('latestUpdate'), t('serves')], items, { id: 'tasks-table' }));
}

async function taskDetail(plan, board, id) {
  const it = board.items.find((i) => i.id === id);
  if (!it) throw new ApiError({ detail: `not found: ${id}` });
  const updates = await api(`/api/plans/${plan}/tasks/${encodeURIComponent(id)}/updates`);
  const out = h('div', { 'aria-live': 'polite' });
  const orgs = [it.lead, ...it.participants].filter(Boolean);
  const org = orgs.length ? h('select', { id: 'update-org' }, orgs.map((o) => h('option', { value: o }, o))) : h('input', { id: 'update-org', required: true });
  const status = h('select', { id: 'update-status' }, ['not_started', 'in_progress', 'done', 'blocked'].map((s) => h('option', { value: s, selected: s === it.status }, t(`wstatus_${s}`))));
  const date = h('input', { id: 'update-date', type: 'date', value: board.today });
  const text = h('textarea', { id: 'update-text', rows: 3, required: true });
  const file = h('input', { id: 'update-file', type: 'file' });
  const form = board.updates_enabled ? h('form', {
    id: 'update-form',
    onsubmit: async (e) => {
      e.preventDefault();
      out.replaceChildren();
      let attachment = null;
      const f = file.files[0];
      if (f) {
        const bytes = new Uint8Array(await f.arrayBuffer());
        let bin = '';
        for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        attachment = { name: f.name, content_type: f.type || null, data_base64: btoa(bin) };
      }
      try {
        await api(`/api/plans/${plan}/tasks/${encodeURIComponent(id)}/updates`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ org: org.value, status: status.value, reported_on: date.value || null, text: text.value, attachment }),
        });
        await render();
      } catch (err) { out.append(errorBox(err)); }
    },
  }, h('h2', {}, t('addUpdate')),
  h('label', { for: 'update-org' }, t('org')), org, h('label', { for: 'update-status' }, t('status')), status,
  h('label', { for: 'update-date' }, t('reportedOn')), date,
  h('label', { for: 'update-text' }, t('latestUpdate')), text,
  h('label', { for: 'update-file' }, t('attachment')), file,
  h('button', { type: 'submit', id: 'update-btn' }, t('addUpdate'))) : null;
  return h('section', {},
    h('p', {}, h('a', { href: link('tasks', { plan }) }, `← ${t('taskBoard')}`)),
    h('h1', {}, `${it.number}. ${it.title}`),
    h('p', {}, `${t('lead')}: ${it.lead || '—'} · ${t('participants')}: ${it.participants.join('、') || '—'} · ${t('deadline')}: ${it.deadline} · `, wstatus(it.status),
      it.overdue ? h('span', { class: 'badge bad' }, t('overdue')) : null),
    h('p', { class: 'task-text' }, it.text),
    it.serves.length ? [h('h2', {}, t('serves')), h('ul', {}, it.serves.map((x) => h('li', {}, pick(x.name_zh, x.name_en), x.target ? ` — ${x.target}` : '',
      x.status ? [' ', evalBadge(x.status), x.actual != null ? ` ${num(x.actual, 2)}` : ''] : '',
      x.reason ? h('div', { class: 'muted' }, `${t(x.state === 'waits_for_records' ? 'targetWaitsForRecords' : 'targetNotComputable')}: ${pick(x.reason.zh, x.reason.en)}`) : '')))] : null,
    it.derived_status ? h('p', {}, `${t('derivedStatus')}: `, evalBadge(it.derived_status)) : null,
    h('h2', {}, t('latestUpdate')),
    updates.length ? table([t('reportedOn'), t('org'), t('status'), t('latestUpdate'), t('attachment'), t('actor')], updates.map((u) => [u.reported_on, u.org, wstatus(u.status), u.text,
      u.attachment ? h('a', { href: `/api/plans/${plan}/updates/${u.id}/attachment`, download: u.attachment }, u.attachment) : '', u.user]), { id: 'updates-table' }) : h('p', { class: 'muted' }, t('noUpdates')),
    form, out);
}

// ---------- plan files: source, lint on save, versions and differences ----------
function findingsTable(findings, onLocate) {
  if (!findings.length) return h('p', { class: 'ok-box' }, '✓');
  return table([t('severity'), t('rule'), t('place'), ''], findings.map((f) => h('tr', { class: `finding ${f.severity}` },
    h('td', {}, f.severity), h('td', {}, f.rule),
    h('td', {}, onLocate && /:\d+:\d+$/.test(f.location) ? h('a', { href: '#', onclick: (e) => { e.preventDefault(); onLocate(f.location); } }, h('code', {}, f.location)) : h('code', {}, f.location)),
    h('td', {}, pick(f.message_zh, f.message_en)))), { class: 'findings' });
}

function diffView(d) {
  if (!d.hunks.length) return h('p', { class: 'muted', id: 'plan-diff' }, t('noDifferences'));
  return h('div', { id: 'plan-diff' },
    h('p', {}, `v${d.from} → v${d.to}: +${d.added} ${t('linesAdded')}, −${d.removed} ${t('linesRemoved')}`),
    d.hunks.map((hunk) => h('table', { class: 'diff' }, h('tbody', {}, hunk.lines.map((l) => h('tr', { class: l.kind },
      h('td', { class: 'ln' }, l.old_line ?? ''), h('td', { class: 'ln' }, l.new_line ?? ''),
      h('td', { class: 'mark' }, l.kind === 'added' ? '+' : l.kind === 'removed' ? '−' : ' '),
      h('td', {}, h('code', {}, l.text))))))));
}

async function viewPlanFile(params) {
  const id = params.get('plan') || config.home_plan;
  const [src, history] = await Promise.all([api(`/api/plans/${id}/source`), api(`/api/plans/${id}/versions`)]);
  const from = params.get('from'); const to = params.get('to');
  const diff = from !== null && to !== null ? await api(`/api/plans/${id}/diff?from=${from}&to=${to}`) : null;
  let base = src.version;
  const editor = h('textarea', { id: 'plan-text', rows: 28, spellcheck: 'false', wrap: 'off', readonly: !src.editable, 'aria-label': t('planText') });
  editor.value = src.text;
  const comment = h('input', { id: 'plan-comment', maxlength: 500, 'aria-label': t('comment') });
  const out = h('div', { id: 'plan-save-result', 'aria-live': 'polite' });
  const findingsEl = h('div', { id: 'plan-findings' });
  // puts the cursor on a finding's line
  const locate = (location) => {
    const m = /:(\d+):(\d+)$/.exec(location);
    if (!m) return;
    const lines = editor.value.split('\n');
    const line = Math.min(Number(m[1]), lines.length) - 1;
    let at = 0;
    for (let i = 0; i < line; i++) at += lines[i].length + 1;
    editor.focus();
    editor.setSelectionRange(at, at + lines[line].length);
    editor.scrollTop = Math.max(0, (line - 5) * (editor.scrollHeight / lines.length));
  };
  findingsEl.append(findingsTable(src.findings, locate));
  const send = async (confirm) => {
    out.replaceChildren();
    const r = await fetch(`/api/plans/${id}/source`, {
      method: 'PUT', headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
      body: JSON.stringify({ base_version: base, text: editor.value, comment: comment.value, confirm }),
    });
    const type = r.headers.get('content-type') || '';
    const v = type.includes('json') ? await r.json() : { detail: await r.text() };
    if (r.ok && v.outcome === 'saved') {
      base = v.version;
      await render();
      document.getElementById('plan-save-result').append(h('p', { class: 'ok-box', id: 'plan-saved' }, `${t('planSaved')} ${v.version}`));
    } else if (v.outcome === 'unreadable') {
      out.append(h('div', { class: 'error', role: 'alert', id: 'plan-unreadable' }, h('p', {}, t('planUnreadable')), findingsTable(v.findings, locate)));
    } else if (v.outcome === 'confirm_findings') {
      out.append(h('div', { class: 'warn-box', id: 'plan-confirm' }, h('p', {}, t('newLintErrors')), findingsTable(v.new_errors, locate),
        h('button', { type: 'button', id: 'plan-save-anyway', onclick: () => send(true) }, t('saveAnyway'))));
    } else if (v.outcome === 'stale') {
      out.append(h('div', { class: 'error', role: 'alert', id: 'plan-stale' }, h('p', {}, t('planStale'), ` (v${v.version}, ${v.user})`), diffView(v.changes),
        h('button', { type: 'button', id: 'plan-rebase', onclick: (e) => { base = v.version; e.target.disabled = true; } }, t('rebase'))));
    } else {
      out.append(errorBox({ problem: v }));
    }
  };
  const check = async () => {
    out.replaceChildren();
    try {
      const r = await api('/api/plans/check', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ file: src.file, text: editor.value }) });
      findingsEl.replaceChildren(findingsTable(r.findings, locate));
    } catch (err) { out.append(errorBox(err)); }
  };
  const pickFrom = h('select', { id: 'diff-from', 'aria-label': 'from' }, history.map((v) => h('option', { value: v.version, selected: String(v.version) === String(from ?? Math.max(0, src.version - 1)) }, `v${v.version}`)));
  const pickTo = h('select', { id: 'diff-to', 'aria-label': 'to' }, history.map((v) => h('option', { value: v.version, selected: String(v.version) === String(to ?? src.version) }, `v${v.version}`)));
  const load = async (version) => {
    const v = await api(`/api/plans/${id}/versions/${version}`);
    editor.value = v.text;
    comment.value = `← v${version}`;
    editor.focus();
  };
  if (diff) onMount(() => document.getElementById('plan-diff').scrollIntoView({ block: 'start' }));
  return h('section', {},
    h('div', { class: 'toolbar' }, h('a', { href: link('plans', { plan: id }) }, `← ${t('plans')}`)),
    h('h1', {}, `${t('planfile')} · ${id}`),
    h('p', { class: 'muted' }, `${src.file} · ${t('versionCol')} ${src.version}`),
    src.editable ? null : h('p', { class: 'warn-box', id: 'plan-read-only' }, t('readOnlyPlan')),
    h('form', { id: 'plan-form', onsubmit: (e) => { e.preventDefault(); send(false); } },
      editor,
      src.editable ? h('div', { class: 'plan-actions' }, h('label', { for: 'plan-comment' }, t('comment')), comment,
        h('button', { type: 'button', id: 'plan-check', onclick: check }, t('checkPlan')),
        h('button', { type: 'submit', id: 'plan-save' }, t('savePlan'))) : null),
    out,
    h('h2', {}, t('lint')), findingsEl,
    h('h2', {}, t('history')),
    table([t('versionCol'), t('actor'), t('when'), t('comment'), t('errorsCol'), t('warningsCol'), ''], history.map((v) => h('tr', { 'data-version': v.version, class: v.version === src.version ? 'current' : '' },
      h('td', {}, `v${v.version}`), h('td', {}, v.user), h('td', {}, v.at ? v.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : t('builtIn')),
      h('td', {}, v.comment), h('td', { class: 'num' }, v.errors), h('td', { class: 'num' }, v.warnings),
      h('td', {}, v.version > 0 ? h('a', { href: link('planfile', { plan: id, from: v.version - 1, to: v.version }), class: 'diff-prev' }, t('previousVersion')) : null, ' ',
        src.editable && v.version !== src.version ? h('button', { type: 'button', class: 'load-version', onclick: () => load(v.version) }, t('loadIntoEditor')) : null))), { id: 'plan-history' }),
    h('div', { class: 'toolbar' }, pickFrom, '→', pickTo,
      h('button', { type: 'button', id: 'diff-btn', onclick: () => go('planfile', { plan: id, from: pickFrom.value, to: pickTo.value }) }, t('compareVersions'))),
    diff ? [h('h2', {}, t('diffTitle')), diffView(diff)] : null);
}

// ---------- shell ----------
const VIEWS = {
  home: () => viewHome(),
  region: (r) => viewRegion(r.arg, r.params),
  evaluation: (r) => viewEvaluation(r.params),
  map: (r) => viewMap(r.params),
  standards: (r) => viewStandards(r.params),
  quality: (r) => viewQuality(r.params),
  siting: (r) => viewSiting(r.params),
  plans: (r) => viewPlans(r.params),
  planfile: (r) => viewPlanFile(r.params),
  data: () => viewData(),
  entry: (r) => viewEntry(r.arg, r.params),
  approvals: (r) => viewApprovals(r.params),
  audit: (r) => viewAudit(r.params),
  tasks: (r) => viewTasks(r.arg, r.params),
};

function nav(current) {
  const items = ['home', 'region', 'evaluation', 'map', 'standards', 'quality', 'siting', 'plans', 'data'];
  if (config.accounts) {
    if (can('enter_data')) items.push('entry');
    items.push('approvals');
    if (can('read_audit')) items.push('audit');
  }
  const home = config.home_unit;
  const target = (v) => ({
    home: link('home'), region: link('region', {}, home), evaluation: link('evaluation', { plan: config.home_plan, year: latestYear() }),
    map: link('map', { unit: home }), standards: link('standards', { year: latestYear(), unit: home }), quality: link('quality', { year: latestYear() }), siting: link('siting'),
    plans: link('plans'), data: link('data'),
    entry: link('entry', { unit: home, year: latestYear() }), approvals: link('approvals', { unit: home, year: latestYear() }), audit: link('audit'),
  }[v]);
  return h('nav', { class: 'top', 'aria-label': 'main' },
    h('strong', { class: 'brand' }, 'hsplan'),
    items.map((v) => h('a', { href: target(v), 'aria-current': v === current ? 'page' : null }, t(v))),
    h('a', { href: '/api/docs/', target: '_blank' }, t('api')),
    h('button', {
      type: 'button', id: 'lang-switch',
      onclick: () => { const l = getLang() === 'en' ? 'zh-CN' : 'en'; localStorage.setItem('hsplan-lang', l); setLang(l); render(); },
    }, t('lang')),
    me ? h('span', { class: 'who' }, h('span', { id: 'who' }, me.user), ' ', h('button', { type: 'button', id: 'sign-out', onclick: signOut }, t('signOut'))) : null);
}

async function render() {
  if (config.accounts && !me) { renderLogin(); return; }
  for (const c of charts) c.dispose();
  charts = [];
  mounted = [];
  const r = route();
  const main = document.getElementById('app');
  const header = document.getElementById('header');
  header.replaceChildren(nav(r.view), banners() || '');
  main.replaceChildren(h('p', { class: 'muted' }, t('loading')));
  main.setAttribute('aria-busy', 'true');
  // a later navigation wins: an older view that finishes last is not shown
  const token = ++renders;
  const hash = location.hash;
  let el;
  try {
    const view = VIEWS[r.view] || VIEWS.home;
    el = await view(r);
  } catch (e) {
    el = errorBox(e);
  }
  if (token !== renders) return;
  main.replaceChildren(el);
  flushMounted();
  main.dataset.rendered = hash;
  main.setAttribute('aria-busy', 'false');
  document.title = `${t(r.view in VIEWS ? r.view : 'home')} · hsplan`;
}
let renders = 0;

window.addEventListener('resize', () => charts.forEach((c) => c.resize()));
window.addEventListener('hashchange', render);

(async function start() {
  const q = new URLSearchParams(location.search);
  setLang(q.get('lang') || localStorage.getItem('hsplan-lang') || 'zh-CN');
  try {
    let messages;
    [config, messages] = await Promise.all([api('/api/config'), api('/api/messages')]);
    setMessages(messages);
    if (config.accounts) {
      try { await afterSignIn(); } catch (e) { me = null; }
    } else {
      status = await api('/api/status');
    }
  } catch (e) {
    document.getElementById('app').replaceChildren(errorBox(e));
    return;
  }
  await render();
}());
