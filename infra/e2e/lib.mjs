// What the browser tests share: a harness that counts failures, opens
// tabs that report requests to other origins and console errors, runs
// axe-core and the checks every page gets (tap targets, reflow, reading
// order), walks by keyboard and takes screenshots.

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// launch is how every script starts Debian's Chromium.
export const launch = { executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'] };

// parseArgs splits the command line into its first n words and its
// key=value arguments.
export function parseArgs(n) {
  const words = process.argv.slice(2);
  const arg = Object.fromEntries(words.slice(n).map((a) => a.split(/=(.*)/s).slice(0, 2)));
  return [...words.slice(0, n), arg];
}

// openContext starts Chromium with a profile of its own and options
// (viewport…); close closes it and removes the profile.
export async function openContext(options) {
  const profile = mkdtempSync(join(tmpdir(), 'retours-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { ...launch, deviceScaleFactor: 1, ...options });
  return { context, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}

// harness returns the helpers bound to a browser context, the server's base
// URL and a directory for screenshots (none when out is empty).
export function harness(context, base, out) {
  const failures = [];
  const axeResults = [];
  function fail(where, what) {
    failures.push(`${where}: ${what}`);
    console.log(`FAIL ${where}: ${what}`);
  }
  function ok(where, what) {
    console.log(`ok   ${where}: ${what}`);
  }

  // newPage opens a tab that reports any request to another origin, console
  // error or page error as a failure; lang, when given, is the language the
  // browser asks for.
  async function newPage(lang, where) {
    const page = await context.newPage();
    if (lang) await page.setExtraHTTPHeaders({ 'Accept-Language': lang === 'fr' ? 'fr-FR,fr;q=0.9' : 'en-GB,en;q=0.9' });
    const origin = new URL(base).origin;
    page.on('request', (req) => {
      const u = req.url();
      if (!u.startsWith(origin + '/') && !u.startsWith('data:')) fail(where(), `request to another origin: ${u}`);
    });
    page.on('console', (m) => {
      // Chromium logs failed loads of 4xx pages as errors; the tests visit
      // those on purpose and check their status instead.
      if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) fail(where(), `console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => fail(where(), `page error: ${e.message}`));
    return page;
  }

  async function goto(page, path, wantStatus) {
    const resp = await page.goto(base + path, { waitUntil: 'load' });
    if (resp.status() !== wantStatus) fail(path, `status ${resp.status()}, want ${wantStatus}`);
    return resp;
  }

  // audit runs axe and the checks every page shares.
  async function audit(page, name, lang) {
    const where = `${name} (${lang})`;
    const htmlLang = await page.evaluate(() => document.documentElement.lang);
    if (htmlLang !== lang) fail(where, `<html lang="${htmlLang}">, want ${lang}`);
    const styled = await page.evaluate(() => getComputedStyle(document.body).maxWidth);
    if (styled !== '640px') fail(where, `stylesheet not applied (body max-width ${styled}): blocked by the Content-Security-Policy?`);
    await axeCheck(page, name, lang);
    await checkTargets(page, where);
    await checkReflow(page, where);
  }

  // axeCheck runs axe-core on the page and records its result under name
  // and lang.
  async function axeCheck(page, name, lang) {
    const where = lang ? `${name} (${lang})` : name;
    await page.evaluate(axeSource);
    const res = await page.evaluate(() => axe.run(document, { resultTypes: ['violations'] }));
    axeResults.push({ page: name, lang: lang || '', violations: res.violations.length, passes: res.passes.length });
    for (const v of res.violations) {
      fail(where, `axe ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    }
    if (res.violations.length === 0) ok(where, `axe: no violation (${res.passes.length} rules passed)`);
  }

  // checkTargets checks that every link, button and option is at least 44 px
  // tall and wide.
  async function checkTargets(page, where) {
    const small = await page.evaluate(() => [...document.querySelectorAll('a, button, label.opt, textarea, summary')]
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && (r.height < 44 || r.width < 44))
      .map(({ el, r }) => `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`));
    for (const s of small) fail(where, `tap target under 44 px: ${s}`);
  }

  // checkReflow checks that nothing is wider than the viewport and that the
  // reading order (the DOM's) runs top to bottom, left to right on a line.
  async function checkReflow(page, where) {
    const r = await page.evaluate(() => {
      const problems = [];
      const vw = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth > vw) problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} px in ${vw} px`);
      const els = [...document.querySelectorAll('header p, header a, h1, h2, main p, legend, label, textarea, button, main a, footer a')]
        .filter((el) => el.getClientRects().length > 0)
        // What a closed <details> folds away is not shown, whatever boxes it keeps.
        .filter((el) => !el.closest('details:not([open])') || el.closest('summary'));
      let prev = null;
      for (const el of els) {
        const b = el.getBoundingClientRect();
        const name = `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 25)}"`;
        if (b.right > vw + 1) problems.push(`${name} overflows the viewport (right edge ${Math.round(b.right)} > ${vw})`);
        if (prev) {
          const a = prev.b;
          const sameLine = Math.abs(b.top - a.top) < 2 || (b.top < a.bottom - 2 && b.top >= a.top);
          if (b.top < a.top - 2 || (sameLine && b.left < a.left - 2 && !prev.el.contains(el))) {
            problems.push(`${name} is read after ${prev.name} but shown before it`);
          }
        }
        prev = { el, b, name };
      }
      return problems;
    });
    for (const p of r) fail(where, p);
  }

  // tabTo presses Tab until test(active element) holds, checking that each
  // stop shows a visible focus indicator.
  async function tabTo(page, where, describe, test) {
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const a = await page.evaluate(() => {
        const el = document.activeElement;
        const box = el.closest('label.opt') || el;
        const cs = getComputedStyle(box);
        const own = getComputedStyle(el);
        const visible = (s) => s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
        return {
          tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '', id: el.id, value: el.value,
          href: el.getAttribute('href') || '', text: el.textContent.trim().slice(0, 40),
          focusVisible: visible(cs) || visible(own),
        };
      });
      if (a.tag === 'body') continue;
      if (!a.focusVisible) fail(where, `no visible focus on ${a.tag} ${a.name || a.text}`);
      if (test(a)) return a;
    }
    throw new Error(`${where}: Tab never reached ${describe}`);
  }

  // activeId waits until the element with id want has the focus, 10 s at
  // most, and returns the id of the element that has it then: focus moved by
  // a navigation, a fragment or a page's script is read once it has settled.
  async function activeId(page, want) {
    await page.waitForFunction((id) => document.activeElement && document.activeElement.id === id, want, { timeout: 10000 }).catch(() => {});
    return page.evaluate(() => (document.activeElement ? document.activeElement.id : ''));
  }

  async function submitAndWait(page) {
    const nav = page.waitForNavigation({ waitUntil: 'load' });
    await page.keyboard.press('Enter');
    return nav;
  }

  async function shot(page, name) {
    if (!out) return;
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
    ok(name, `screenshot ${join(out, name + '.png')}`);
  }

  // report prints axe's results and the failures, and exits 1 on any.
  function report() {
    if (axeResults.length) console.log('\naxe-core results (violations per page):');
    for (const r of axeResults) console.log(`  ${r.page.padEnd(22)} ${r.lang.padEnd(2)}  ${r.violations} violation(s), ${r.passes} rules passed`);
    if (failures.length) {
      console.log(`\n${failures.length} failure(s):`);
      for (const f of failures) console.log('  - ' + f);
      process.exit(1);
    }
    console.log('\nall checks passed');
  }

  // run runs a script's steps, an error they throw being one more failure,
  // then close, then report.
  async function run(steps, close) {
    try {
      await steps();
    } catch (err) {
      fail('run', err.stack || String(err));
    } finally {
      await close();
    }
    report();
  }

  return { failures, axeResults, axeSource, fail, ok, run, newPage, goto, audit, axeCheck, checkTargets, checkReflow, tabTo, activeId, submitAndWait, shot, report };
}
