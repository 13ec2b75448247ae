// The web app's first load in headless Chromium: from navigation to the view rendered
// (main[aria-busy=false]) on a fresh browser context, for each view; median of 5.
//   node bench-first-load.mjs http://127.0.0.1:8080
import { chromium } from 'playwright-core';

const base = process.argv[2] || 'http://127.0.0.1:8080';
const views = [
  ['overview', '/#/'],
  ['region', '/#/region/500109'],
  ['evaluation', '/#/evaluation?plan=beibei-14th-fyp&year=2024'],
  ['map', '/#/map?unit=500109&year=2024'],
  ['standards', '/#/standards?year=2024&unit=500109'],
];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const [name, path] of views) {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, bypassCSP: true });
    const p = await ctx.newPage();
    const t = performance.now();
    await p.goto(base + path);
    await p.waitForSelector('main[aria-busy="false"]');
    times.push(performance.now() - t);
    await ctx.close();
  }
  times.sort((a, b) => a - b);
  console.log(`${name.padEnd(11)} first load median ${times[2].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[4].toFixed(0)})`);
}
await browser.close();
