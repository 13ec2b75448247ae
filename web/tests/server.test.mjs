// Browser tests of the shared server (PostgreSQL, accounts): a town's data clerk signs in,
// enters a facility's year (confirming a jump), submits it; the district's approver
// approves and locks it; the audit log shows every step. Real headless Chromium.
//   HSPLAN_BIN     the hsplan binary (default ../target/release/hsplan)
//   HSPLAN_TEST_PG a PostgreSQL server whose user may create databases
//                  (default postgres://postgres@127.0.0.1:5432/test)
//   CHROMIUM       the browser (default /usr/bin/chromium)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const here = new URL('..', import.meta.url).pathname;
const bin = process.env.HSPLAN_BIN || join(here, '../target/release/hsplan');
const admin = process.env.HSPLAN_TEST_PG || 'postgres://postgres@127.0.0.1:5432/test';
const shots = join(here, 'screenshots');
mkdirSync(shots, { recursive: true });
const dbName = `hsplan_web_${process.pid}`;
const url = admin.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);
const PASSWORD = 'web test password';

let server;
let base;
let browser;

function psql(sql) {
  try {
    execFileSync('psql', [admin, '-qc', sql], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new Error(`these tests need a PostgreSQL server at ${admin} (set HSPLAN_TEST_PG): ${e.stderr || e}`);
  }
}

function hsplan(args, input) {
  return execFileSync(bin, ['--db', url, '--lang', 'en', ...args], { input, stdio: ['pipe', 'pipe', 'inherit'] }).toString();
}

before(async () => {
  psql(`CREATE DATABASE ${dbName}`);
  hsplan(['import', 'demo']);
  for (const [user, role, unit] of [['clerk', 'data_entry', '500109001'], ['boss', 'approver', '500109'], ['wjw', 'viewer', '500104'], ['ddkplan', 'planner', '500104']]) {
    hsplan(['user', 'add', user], `${PASSWORD}\n`);
    hsplan(['user', 'grant', user, role, unit]);
  }
  hsplan(['user', 'org', 'wjw', '区卫生健康委']);
  server = spawn(bin, ['--db', url, '--lang', 'en', 'serve', '--addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  base = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no server address in: ${seen}`)), 60000);
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
  psql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
});

async function signedIn(user, lang = 'en') {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await ctx.addInitScript((l) => localStorage.setItem('hsplan-lang', l), lang);
  const p = await ctx.newPage();
  p.errors = [];
  p.on('pageerror', (e) => p.errors.push(String(e)));
  await p.goto(base + '/');
  await p.waitForSelector('#login-form');
  await p.fill('#login-user', user);
  await p.fill('#login-password', PASSWORD);
  await p.click('#login-btn');
  await p.waitForSelector('#who');
  await p.waitForSelector('main[aria-busy="false"]');
  return p;
}

async function shot(p, name) {
  await p.waitForTimeout(300);
  await p.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
}

async function open(p, hash) {
  await p.goto(`${base}/${hash}`);
  // the view of this address is in place (not the one before the hash changed)
  await p.waitForSelector(`main[aria-busy="false"][data-rendered="${hash.replace(/["\\]/g, '\\$&')}"]`);
}

test('a wrong password is refused without saying which part was wrong', async () => {
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  await p.goto(base + '/');
  await p.waitForSelector('#login-form');
  await shot(p, 'server-login');
  await p.fill('#login-user', 'clerk');
  await p.fill('#login-password', 'not the password');
  await p.click('#login-btn');
  const err = await p.waitForSelector('[role="alert"]');
  assert.match(await err.textContent(), /wrong user name or password/);
  await ctx.close();
});

test('clerk enters and submits, approver approves and locks, the audit log shows it all', async () => {
  const clerk = await signedIn('clerk');
  // the clerk sees only their town
  assert.equal(await clerk.textContent('#who'), 'clerk');
  await open(clerk, '#/entry?unit=500109001&year=2024');
  const first = await clerk.$('#entry-list tbody a');
  await first.click();
  await clerk.waitForSelector('#entry-form');
  const beds = await clerk.$('#q-beds');
  const before = Number(await beds.inputValue());
  await beds.fill(String(before * 3 + 10));
  await clerk.click('#save-btn');
  await clerk.waitForSelector('#jumps');
  await shot(clerk, 'server-entry-jump');
  await clerk.click('#confirm-save');
  await clerk.waitForSelector('#saved');
  await shot(clerk, 'server-entry-saved');

  await open(clerk, '#/approvals?unit=500109001&year=2024');
  await clerk.click('#step-submit-500109001000');
  await clerk.waitForSelector('#approvals-table tbody tr:first-child .state.submitted');
  await shot(clerk, 'server-approvals-submitted');
  // submitted: the form is closed
  await clerk.goBack();
  await open(clerk, '#/entry?unit=500109001&year=2024');
  // (a hash change after goBack: wait for the list itself, not only for a page not busy)
  await (await clerk.waitForSelector('#entry-list tbody a')).click();
  await clerk.waitForSelector('#entry-form');
  assert.equal(await clerk.$('#save-btn'), null);

  const boss = await signedIn('boss');
  await open(boss, '#/approvals?unit=500109001&year=2024');
  await boss.click('#step-approve-500109001000');
  await boss.waitForSelector('#step-lock-500109001000');
  await boss.click('#step-lock-500109001000');
  await boss.waitForSelector('#approvals-table tbody tr:first-child .state.locked');
  await shot(boss, 'server-approvals-locked');

  await open(boss, '#/audit');
  const actions = await boss.$$eval('#audit-table tbody tr td:nth-child(5)', (tds) => tds.map((td) => td.textContent));
  for (const a of ['facility_year.save', 'approval.submit', 'approval.approve', 'approval.lock']) {
    assert.ok(actions.includes(a), `${a} in ${actions}`);
  }
  await shot(boss, 'server-audit');

  // the evaluation on approved data only
  await open(boss, '#/evaluation?plan=beibei-14th-fyp&year=2024&unit=500109001&approved=1');
  assert.ok(await boss.isChecked('#eval-approved'));
  await shot(boss, 'server-evaluation-approved');

  await boss.click('#sign-out');
  await boss.waitForSelector('#login-form');
  assert.deepEqual(clerk.errors, []);
  assert.deepEqual(boss.errors, []);
});

test('a responsible unit reports progress on its task, with an attachment', async () => {
  const p = await signedIn('wjw', 'zh-CN');
  await open(p, '#/tasks?plan=dadukou-service-system-2027');
  const rows = await p.$$('#tasks-table tbody tr');
  assert.equal(rows.length, 20);
  await shot(p, 'server-task-board');
  await p.click('#tasks-table tbody tr[data-item="task:1"] a');
  await p.waitForSelector('#update-form');
  await p.selectOption('#update-status', 'in_progress');
  await p.fill('#update-text', '建胜镇卫生院主体工程完工，进入装修阶段');
  await p.setInputFiles('#update-file', { name: '现场照片说明.txt', mimeType: 'text/plain', buffer: Buffer.from('主体完工') });
  await p.click('#update-btn');
  await p.waitForSelector('#updates-table');
  const cells = await p.$$eval('#updates-table tbody td', (tds) => tds.map((td) => td.textContent));
  assert.ok(cells.includes('建胜镇卫生院主体工程完工，进入装修阶段'), cells.join('|'));
  assert.ok(cells.includes('现场照片说明.txt'));
  await shot(p, 'server-task-update');
  await open(p, '#/tasks?plan=dadukou-service-system-2027');
  const status = await p.textContent('#tasks-table tbody tr[data-item="task:1"] .wstatus');
  assert.equal(status, '推进中');
  assert.deepEqual(p.errors, []);
});

test('a planner edits the plan: the lint runs on save, a stale save keeps the text, versions compare line by line', async () => {
  const p = await signedIn('ddkplan');
  const plan = 'dadukou-service-system-2027';
  await open(p, `#/plans?plan=${plan}`);
  await p.click('#plan-source-link');
  await p.waitForSelector('#plan-text');
  await p.waitForSelector('main[aria-busy="false"]');
  assert.equal(await p.$('#plan-read-only'), null);
  const text = await p.inputValue('#plan-text');
  const edited = text.replace('Further Improving the Health Service System', 'Further Improving the Health Service System (revised)');
  assert.notEqual(edited, text);
  // a broken file is refused with its place
  await p.fill('#plan-text', edited.replace('[plan]', '[plan'));
  await p.click('#plan-save');
  await p.waitForSelector('#plan-unreadable');
  await shot(p, 'server-plan-unreadable');
  await p.fill('#plan-text', edited);
  await p.fill('#plan-comment', 'English title revised');
  await p.click('#plan-save');
  await p.waitForSelector('#plan-saved');
  assert.match(await p.textContent('#plan-saved'), /version 1/);
  assert.equal((await p.$$('#plan-history tbody tr')).length, 2);
  await shot(p, 'server-plan-saved');
  // the version before compared with the new one
  await p.click('#plan-history tbody tr[data-version="1"] a.diff-prev');
  await p.waitForSelector('#plan-diff tr.added');
  const added = await p.$$eval('#plan-diff tr.added code', (c) => c.map((x) => x.textContent));
  const removed = await p.$$eval('#plan-diff tr.removed code', (c) => c.map((x) => x.textContent));
  assert.deepEqual(added.map((x) => x.includes('(revised)')), [true]);
  assert.deepEqual(removed.map((x) => x.includes('title_en')), [true]);
  await shot(p, 'server-plan-diff');

  // two pages read version 1; the first saves, the second's save is then stale
  const q = await signedIn('ddkplan');
  await open(q, `#/planfile?plan=${plan}`);
  await open(p, `#/planfile?plan=${plan}`);
  const v1 = await p.inputValue('#plan-text');
  await p.fill('#plan-text', v1.replace('issuer = "重庆市大渡口区人民政府办公室"', 'issuer = "重庆市大渡口区人民政府"'));
  await p.click('#plan-save');
  await p.waitForSelector('#plan-saved');
  const mine = v1.replace('source = "002_4feffd95a8c6be53.txt"', 'source = "002_4feffd95a8c6be53.txt" # checked');
  await q.fill('#plan-text', mine);
  await q.click('#plan-save');
  await q.waitForSelector('#plan-stale');
  // nothing is lost: the text is still in the editor, and the change made meanwhile is shown
  assert.equal(await q.inputValue('#plan-text'), mine);
  const meanwhile = await q.$$eval('#plan-stale tr.added code', (c) => c.map((x) => x.textContent));
  assert.ok(meanwhile.some((x) => x.includes('issuer = "重庆市大渡口区人民政府"')), meanwhile.join('|'));
  await shot(q, 'server-plan-stale');
  // merged by hand, saved on top of the newest version
  await q.click('#plan-rebase');
  await q.fill('#plan-text', mine.replace('issuer = "重庆市大渡口区人民政府办公室"', 'issuer = "重庆市大渡口区人民政府"'));
  await q.click('#plan-save');
  await q.waitForSelector('#plan-saved');
  assert.match(await q.textContent('#plan-saved'), /version 3/);
  assert.deepEqual(p.errors, []);
  assert.deepEqual(q.errors, []);

  // someone who may not edit the plan reads it
  const boss = await signedIn('boss');
  await open(boss, `#/planfile?plan=${plan}`);
  await boss.waitForSelector('#plan-read-only');
  assert.equal(await boss.$('#plan-save'), null);
  assert.ok((await boss.inputValue('#plan-text')).includes('(revised)'));
});
