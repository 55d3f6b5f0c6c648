// pages.mjs checks the administrator's and organisers' pages in Chromium,
// driven by playwright-core, with axe-core on every page, in French and in
// English, at 320 px wide (the narrowest phone screens reflow to):
//   node pages.mjs <baseURL> <pages.json> [out=<dir>]
// pages.json lists {name, path, status, cookie: {name, value}?, fill:
// {selector: value}?, submit: selector?, after: status?, sentOnly: bool?}. For each page and
// language it opens path (with the cookie), checks the status, the page's
// language, axe-core's violations and the reflow; with submit it then fills
// the form, sends it with Enter from the submit selector and checks the
// page that answers (status after) the same way; sentOnly checks only that
// page, when another entry checks the form's. It also signs in to /admin with
// the keyboard alone (admin=<token>) and checks that it lands on the page
// asked, and follows a link to the bilan from another site with the
// organisers' cookie set (crossSite=<path> organiser=<token>).
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { harness, openContext, parseArgs } from './lib.mjs';

const [base, pagesFile, arg] = parseArgs(2);
if (!base || !pagesFile) {
  console.error('usage: node pages.mjs <baseURL> <pages.json> [admin=<token>] [out=<dir>]');
  process.exit(2);
}
const pages = JSON.parse(readFileSync(pagesFile, 'utf8'));
const out = arg.out;
if (out) mkdirSync(out, { recursive: true });
const origin = new URL(base);

const { context, close } = await openContext({ viewport: { width: 320, height: 640 } });
const h = harness(context, base, out);
const { fail, ok, newPage, axeCheck } = h;

await h.run(async () => {
  for (const lang of ['fr', 'en']) {
    for (const p of pages) await check(p, lang);
  }
  if (arg.admin) await keyboardLogin();
  if (arg.crossSite) await linkFromAnotherSite();
}, close);

async function check(p, lang) {
  await context.clearCookies();
  if (p.cookie) {
    await context.addCookies([{ name: p.cookie.name, value: p.cookie.value, domain: origin.hostname, path: '/', httpOnly: true, sameSite: 'Strict' }]);
  }
  const where = `${p.name} (${lang})`;
  const page = await newPage(lang, () => where);
  const sep = p.path.includes('?') ? '&' : '?';
  const resp = await page.goto(`${base}${p.path}${sep}lang=${lang}`, { waitUntil: 'load' });
  if (resp.status() !== p.status) fail(where, `status ${resp.status()}, want ${p.status}`);
  if (!p.sentOnly) await audit(page, p.name, lang);
  if (p.submit) {
    for (const [sel, value] of Object.entries(p.fill || {})) await page.fill(sel, value);
    await page.focus(p.submit);
    const [answer] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    if (answer.status() !== p.after) fail(`${p.name}-sent (${lang})`, `status ${answer.status()}, want ${p.after}`);
    await audit(page, `${p.name}-sent`, lang);
  }
  await page.close();
}

// audit checks the page's language, runs axe, and checks that it reflows
// at 320 px: nothing wider than the viewport.
async function audit(page, name, lang) {
  const where = `${name} (${lang})`;
  const htmlLang = await page.evaluate(() => document.documentElement.lang);
  if (htmlLang !== lang) fail(where, `<html lang="${htmlLang}">, want ${lang}`);
  await axeCheck(page, name, lang);
  const wide = await page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const problems = [];
    if (document.documentElement.scrollWidth > vw) problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} px in ${vw} px`);
    for (const el of document.querySelectorAll('h1, h2, p, a, button, input, select, textarea, table, svg')) {
      const b = el.getBoundingClientRect();
      if (b.width > 0 && b.right > vw + 1) problems.push(`${el.tagName.toLowerCase()} "${(el.textContent || '').trim().slice(0, 25)}" overflows (right edge ${Math.round(b.right)} > ${vw})`);
    }
    return problems;
  });
  for (const w of wide) fail(where, w);
  if (wide.length === 0) ok(where, 'reflows at 320 px');
  if (out) await page.screenshot({ path: join(out, `${name}-${lang}.png`), fullPage: true });
}

// keyboardLogin signs in to the admin space with the keyboard alone, from a
// link that needed it, and checks that it lands on the page asked.
async function keyboardLogin() {
  await context.clearCookies();
  const page = await context.newPage();
  const where = 'admin keyboard login';
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'fr-FR,fr;q=0.9' });
  const resp = await page.goto(`${base}/admin/nouveau`, { waitUntil: 'load' });
  if (!page.url().includes('/admin?') || resp.status() !== 200) fail(where, `a bookmark of the form led to ${page.url()} (${resp.status()}), want the login form`);
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement.id === 'token')) break;
  }
  await page.keyboard.type(arg.admin);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  const path = new URL(page.url()).pathname;
  if (path !== '/admin/nouveau') fail(where, `landed on ${page.url()}, want /admin/nouveau`);
  else ok(where, 'Tab to the token, type it, Enter: back on the form asked');
  const title = await page.locator('h1').textContent();
  if (title !== 'Créer un événement') fail(where, `h1 "${title}", want the form's`);
  await page.close();
}

// linkFromAnotherSite follows a link to the HTML bilan from a page of
// another site (a webmail's, say), signed in to the event: the browser sends
// no SameSite=Strict cookie with that navigation, so retours asks again from
// its own site, and the bilan opens without a second login.
async function linkFromAnotherSite() {
  await context.clearCookies();
  await context.addCookies([{ name: 'retours_organiser', value: arg.organiser, domain: origin.hostname, path: '/', httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  const where = 'link from another site';
  const seen = [];
  page.on('response', (r) => { if (r.url().startsWith(base + arg.crossSite)) seen.push(r.status()); });
  await page.setContent(`<a href="${base}${arg.crossSite}">Bilan complet</a>`);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a')]);
  await page.waitForFunction(() => !document.querySelector('meta[http-equiv="refresh"]') && document.querySelector('h1'), null, { timeout: 15000 });
  const title = await page.locator('h1').first().textContent();
  if (!/^Bilan/.test(title)) fail(where, `landed on "${title}" (${page.url()}), want the bilan`);
  else ok(where, `the bilan opens, signed in, after ${seen.length} request(s) (${seen.join(', ')})`);
  await page.close();
}
