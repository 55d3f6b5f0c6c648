// The closing wall in a real browser: Debian's Chromium, headless, driven by
// playwright-core, with axe-core checking every page.
//
//   node infra/e2e/wall.mjs <baseURL> event=<id> link=<path> token=<organiser token>
//        approved=<text> hidden=<text> unapproved=<text> [out=<dir>]
//
// link is the wall's read-only link for the room's computer. In French and
// in English, at 1920×1080 and at 1280×720, it:
//   - opens the link with no cookie: the wall reloads itself (the Refresh
//     header, no script; followed once for real), unless paused; paused,
//     so that nothing moves while it is checked, it shows the approved
//     note, not the hidden one nor the one never approved;
//   - runs axe with the enhanced contrast rule (WCAG AAA, 7:1) on;
//   - checks that the whole wall fits the screen, nothing scrolls or is cut,
//     and that its type is large: the notes at least 4 % of the screen's
//     height, any other text at least 2.4 %;
// then it checks that the link's token, as the organisers' cookie, opens
// neither /o/<event> nor /o/<event>/mur, that the organisers' cookie opens
// the same wall at /o/<event>/mur, and runs axe on the organisers' page and
// the page of wall links at 320 px and 1280 px, where nothing scrolls
// sideways (but the organisers' table of sessions). Screenshots go to out.
// It prints one line per check and exits 1 on any failure.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { harness, openContext, parseArgs } from './lib.mjs';

const [base, arg] = parseArgs(1);
for (const k of ['event', 'link', 'token', 'approved', 'hidden', 'unapproved']) {
  if (!base || !arg[k]) {
    console.error('usage: node wall.mjs <baseURL> event=<id> link=<path> token=<token> approved=<text> hidden=<text> unapproved=<text> [out=<dir>]');
    process.exit(2);
  }
}
const out = arg.out;
if (out) mkdirSync(out, { recursive: true });
const origin = new URL(base);
const linkToken = arg.link.split('/').pop();

const { context, close } = await openContext({ viewport: { width: 1920, height: 1080 } });
const h = harness(context, base, '');
const { fail, ok, axeSource } = h;

await h.run(async () => {
  for (const [width, height] of [[1920, 1080], [1280, 720]]) {
    for (const lang of ['fr', 'en']) await wall(lang, width, height);
  }
  await refused();
  await organisers();
}, close);

async function goto(page, where, path, want) {
  const resp = await page.goto(base + path, { waitUntil: 'load' });
  if (resp.status() !== want) fail(where, `${path}: status ${resp.status()}, want ${want}`);
  return resp;
}

// axe runs axe-core, the enhanced contrast rule (AAA) too when aaa is set.
async function axe(page, where, aaa) {
  await page.evaluate(axeSource);
  const res = await page.evaluate((aaa) => axe.run(document, {
    resultTypes: ['violations'],
    rules: aaa ? { 'color-contrast-enhanced': { enabled: true } } : {},
  }), aaa);
  for (const v of res.violations) {
    fail(where, `axe ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  if (res.violations.length === 0) ok(where, `axe${aaa ? ' with AAA contrast' : ''}: no violation (${res.passes.length} rules passed)`);
}

async function setCookie(token) {
  await context.clearCookies();
  if (token) {
    await context.addCookies([{ name: 'retours_organiser', value: token, domain: origin.hostname, path: '/', httpOnly: true, sameSite: 'Strict' }]);
  }
}

async function wall(lang, width, height) {
  const where = `wall ${width}×${height} (${lang})`;
  await setCookie('');
  const page = await h.newPage('', () => where);
  await page.setViewportSize({ width, height });
  // The wall as it refreshes: its Refresh header. The checks below look at
  // the paused wall, the same page that stays put while axe runs.
  const live = await page.request.get(`${base}${arg.link}?lang=${lang}`);
  const refresh = live.headers()['refresh'] || '';
  if (live.status() !== 200) fail(where, `status ${live.status()}, want 200`);
  if (!/^\d+; url=\/mur\//.test(refresh) || parseInt(refresh, 10) > 30) fail(where, `Refresh "${refresh}", want a reload of the link within seconds`);
  const resp = await goto(page, where, `${arg.link}?lang=${lang}&pause=1`, 200);
  if (resp.headers()['refresh']) fail(where, 'the paused wall still reloads');
  const htmlLang = await page.evaluate(() => document.documentElement.lang);
  if (htmlLang !== lang) fail(where, `<html lang="${htmlLang}">, want ${lang}`);
  const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  if (bg !== 'rgb(0, 0, 0)') fail(where, `stylesheet not applied (background ${bg}): blocked by the Content-Security-Policy?`);
  const text = await page.evaluate(() => document.body.innerText);
  if (!text.includes(arg.approved)) fail(where, 'the approved note is not shown');
  else ok(where, 'shows the approved note');
  if (text.includes(arg.hidden)) fail(where, 'shows the hidden note');
  if (text.includes(arg.unapproved)) fail(where, 'shows a note never approved');
  const scripts = await page.evaluate(() => document.scripts.length);
  if (scripts !== 0) fail(where, `${scripts} script(s) on the wall`);
  await axe(page, where, true);
  const problems = await page.evaluate(({ width, height }) => {
    const p = [];
    const d = document.documentElement;
    if (d.scrollHeight > height || d.scrollWidth > width) p.push(`page scrolls: ${d.scrollWidth}×${d.scrollHeight}`);
    for (const el of document.querySelectorAll('h1, h2, li, p, b')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      const name = `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 25)}"`;
      if (r.bottom > height + 1 || r.right > width + 1) p.push(`${name} is cut off (${Math.round(r.right)}×${Math.round(r.bottom)})`);
      const size = parseFloat(getComputedStyle(el).fontSize);
      const min = el.closest('blockquote') ? 0.04 : 0.024;
      if (size < min * height) p.push(`${name}: ${size.toFixed(1)} px type, want at least ${(min * height).toFixed(1)} px`);
    }
    return p;
  }, { width, height });
  for (const p of problems) fail(where, p);
  if (problems.length === 0) ok(where, 'fits the screen, in large type');
  if (out) {
    // The wall as the room sees it: its footer offers to stop the rotation.
    await goto(page, where, `${arg.link}?lang=${lang}&pause=1`, 200);
    await page.evaluate((label) => { document.querySelector('footer a').textContent = label; }, live.ok() ? await footerLabel(live) : '');
    await page.screenshot({ path: join(out, `wall-${width}x${height}-${lang}.png`) });
    ok(where, `screenshot ${join(out, `wall-${width}x${height}-${lang}.png`)}`);
  }
  if (width === 1920 && lang === 'fr') {
    // Chromium follows the Refresh header by itself.
    await goto(page, where, `${arg.link}?lang=${lang}`, 200);
    const reload = await page.waitForNavigation({ waitUntil: 'load', timeout: 30000 }).catch(() => null);
    if (!reload || !page.url().includes('/mur/')) fail(where, `the wall did not reload itself (${page.url()})`);
    else ok(where, `reloaded itself after ${refresh.split(';')[0]} s`);
  }
  await page.close();
}

// footerLabel returns the label of the live wall's pause link.
async function footerLabel(resp) {
  const m = (await resp.text()).match(/<footer>.*<a [^>]*>([^<]*)<\/a>/s);
  return m ? m[1] : '';
}

// refused: the link's token opens nothing but the wall.
async function refused() {
  const where = 'wall link token elsewhere';
  await setCookie(linkToken);
  const page = await h.newPage('', () => where);
  await goto(page, where, `/o/${arg.event}`, 403);
  if (!(await page.evaluate(() => !!document.querySelector('input[name="token"]')))) fail(where, '/o/<event> does not ask for an organiser token');
  await goto(page, where, `/o/${arg.event}/mur`, 403);
  await goto(page, where, `/o/${arg.event}/mur/liens`, 403);
  ok(where, 'refused on the organisers\' pages');
  await page.close();
}

// organisers: the organisers' own wall, their page with the wall's buttons,
// and the page of wall links.
async function organisers() {
  await setCookie(arg.token);
  for (const lang of ['fr', 'en']) {
    let where = `organisers' wall (${lang})`;
    const page = await h.newPage('', () => where);
    await page.setViewportSize({ width: 1280, height: 720 });
    await goto(page, where, `/o/${arg.event}/mur?lang=${lang}&pause=1`, 200);
    if (!(await page.evaluate((t) => document.body.innerText.includes(t), arg.approved))) fail(where, 'the approved note is not shown');
    for (const [path, name] of [[`/o/${arg.event}`, 'organisers'], [`/o/${arg.event}/mur/liens`, 'wall links']]) {
      for (const width of [320, 1280]) {
        where = `${name} ${width} px (${lang})`;
        await page.setViewportSize({ width, height: 720 });
        await goto(page, where, `${path}?lang=${lang}`, 200);
        await axe(page, where, false);
        const wide = await page.evaluate(() => {
          const vw = document.documentElement.clientWidth;
          const over = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > vw + 1)
            .map((el) => `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 20)}"`).slice(0, 5);
          return { by: document.documentElement.scrollWidth - vw, over };
        });
        // The organisers' page's table of sessions is wider than 320 px
        // already; the wall's buttons must not make it wider.
        if (wide.by > 0 && (name === 'wall links' || wide.over.some((o) => !/^(table|thead|tbody|tr|th|td)\./.test(o)))) fail(where, `page scrolls sideways by ${wide.by} px: ${wide.over.join(', ')}`);
        if (out && width === 1280 && lang === 'fr') await page.screenshot({ path: join(out, `${name.replace(' ', '-')}-fr.png`), fullPage: true });
      }
    }
    await page.close();
  }
}
