// Paper questionnaires and their data entry in a real browser: Debian's
// Chromium, headless, driven by playwright-core, axe-core checking the
// pages and pdf.js reading back the PDF Chromium prints.
//
//   node infra/e2e/paper.mjs <baseURL> spec=<file.json> [out=<dir>] [docs=<dir>]
//
// spec (written by internal/e2e's TestPaperInChromium) gives the organiser
// token, the prints to check (path, expected page count, the labels that
// must be printed, each on the same page as its choices), the data-entry
// page and the sheets to type in. In order, it:
//   - prints each questionnaire to PDF on A4 (page.pdf, format A4) and
//     checks its page count, that every question and the rapport
//     d'étonnement box are printed, that each sheet's number is on its own
//     page, and that no question is split across two pages;
//   - runs axe on the print's screen view and on the data-entry page, in
//     French and in English;
//   - types the sheets in with the keyboard alone (digits, Tab, Enter), as a
//     trained person would, counting keystrokes and timing each save, and
//     checking that every keystroke lands where the focus should be; the
//     last sheet repeats the first, and must be refused with its first
//     entry shown.
// It prints one line per check and a JSON line "entry-timing", and exits 1
// on any failure.

import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { harness, openContext, parseArgs } from './lib.mjs';

const [base, arg] = parseArgs(1);
if (!base || !arg.spec) {
  console.error('usage: node paper.mjs <baseURL> spec=<file.json> [out=<dir>] [docs=<dir>]');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(arg.spec, 'utf8'));
for (const d of [arg.out, arg.docs]) if (d) mkdirSync(d, { recursive: true });

const { context, close } = await openContext({ viewport: { width: 1024, height: 900 } });
const h = harness(context, base, '');
const { fail, ok, axeCheck, activeId } = h;
const origin = new URL(base);
// The organisers' cookie of each event, scoped to its paths as the
// organisers' page sets it.
await context.addCookies(spec.tokens.flatMap(({ event, token }) => ['/o/' + event, '/api/events/' + event].map((path) =>
  ({ name: 'retours_organiser', value: token, domain: origin.hostname, path, httpOnly: true, sameSite: 'Strict' }))));

await h.run(async () => {
  for (const p of spec.prints) await print(p);
  for (const lang of ['fr', 'en']) await entryAudit(lang);
  await entryRun();
}, close);

// squash removes white space and soft hyphens, so that a label wrapped
// over lines, as pdf.js gives it back, compares with the label.
function squash(s) {
  return s.replace(/[\s\u00a0\u00ad]+/g, '');
}

// pdfPages returns the text of each page of a PDF.
async function pdfPages(data) {
  const doc = await getDocument({ data: new Uint8Array(data), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const p = await doc.getPage(i);
    const tc = await p.getTextContent();
    pages.push(squash(tc.items.map((it) => it.str).join('')));
  }
  await doc.destroy();
  return pages;
}

// print checks one paper questionnaire printed to PDF.
async function print(p) {
  const where = `print ${p.name}`;
  const page = await h.newPage('', () => where);
  const resp = await page.goto(base + p.path, { waitUntil: 'load' });
  if (resp.status() !== 200) fail(where, `status ${resp.status()}`);
  const styled = await page.evaluate(() => getComputedStyle(document.querySelector('.sheet')).display);
  if (styled !== 'flex') fail(where, `stylesheet not applied (.sheet display ${styled}): blocked by the Content-Security-Policy?`);
  if (p.axe) await axeCheck(page, where);
  await page.emulateMedia({ media: 'print' });
  if (p.screenshot && (arg.out || arg.docs)) {
    const box = await page.locator('article.sheet').first().boundingBox();
    const path = join(arg.docs || arg.out, p.screenshot);
    await page.screenshot({ path, clip: box, fullPage: true });
    ok(where, `screenshot ${path}`);
  }
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
  const pages = await pdfPages(pdf);
  if (pages.length !== p.pages) fail(where, `prints on ${pages.length} A4 pages, want ${p.pages}`);
  else ok(where, `prints on ${pages.length} A4 page(s)`);
  const all = pages.join('');
  for (const q of p.questions) {
    const label = squash(q.label);
    const on = pages.map((t, i) => (t.includes(label) ? i : -1)).filter((i) => i >= 0);
    if (on.length === 0) {
      fail(where, `question not printed: ${q.label}`);
      continue;
    }
    // Each part of the question (its help, its choices) is on the page of
    // its label, on every sheet.
    for (const i of on) {
      for (const part of q.parts || []) {
        if (!pages[i].includes(squash(part))) fail(where, `"${q.label}" is split: "${part}" is not on its page ${i + 1}`);
      }
    }
  }
  ok(where, `${p.questions.length} questions printed, none split`);
  for (const s of p.sheets) {
    const on = pages.map((t, i) => (t.includes(s) ? i : -1)).filter((i) => i >= 0);
    if (on.length !== 1) fail(where, `sheet number ${s} is on pages ${on.map((i) => i + 1)}, want one`);
  }
  if (!all.includes(squash(p.box))) fail(where, `the rapport d'étonnement box "${p.box}" is not printed`);
  if (p.large) {
    const size = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.q h3')).fontSize));
    if (size < 21.3) fail(where, `large print body is ${size}px, want at least 16pt (21.3px)`);
    else ok(where, `large print: ${size}px (${(size * 0.75).toFixed(1)}pt)`);
  }
  await page.close();
}

// entryAudit runs axe on the data-entry page.
async function entryAudit(lang) {
  const where = `data entry (${lang})`;
  const page = await h.newPage('', () => where);
  const resp = await page.goto(base + spec.entry + '?lang=' + lang, { waitUntil: 'load' });
  if (resp.status() !== 200) fail(where, `status ${resp.status()}`);
  const htmlLang = await page.evaluate(() => document.documentElement.lang);
  if (htmlLang !== lang) fail(where, `<html lang="${htmlLang}">, want ${lang}`);
  await axeCheck(page, where);
  if (arg.out) await page.screenshot({ path: join(arg.out, `entry-${lang}.png`), fullPage: true });
  await page.close();
}

// entryRun types the sheets in by keyboard. A field's value is typed; when
// the page's script has not moved on by itself, Tab is pressed; after the
// last field, Enter saves.
async function entryRun() {
  const where = 'keyboard entry';
  const page = await h.newPage('', () => where);
  await page.goto(base + spec.entry + '?s=' + spec.session, { waitUntil: 'load' });
  const timings = [];
  let keys = 0;
  for (const [n, sheet] of spec.sheets.entries()) {
    // The page's script gives the sheet number the focus while the page is
    // read, before it has loaded: digits typed from then on all land.
    const active = await page.evaluate(() => document.activeElement.id);
    if (active !== 'sheet') throw new Error(`${where}: sheet ${n + 1}: focus on #${active} once loaded, want the sheet number`);
    let sheetKeys = 0;
    for (const [i, value] of sheet.fields.entries()) {
      await focusOn(page, `sheet ${n + 1}`, sheet.ids[i]);
      await page.keyboard.type(value);
      sheetKeys += [...value].length;
      // Every keystroke is in the field; the page's script, which runs on
      // each one, has moved on by then if it will.
      await holds(page, `sheet ${n + 1}`, sheet.ids[i], value);
      if (i === sheet.fields.length - 1) break;
      const after = await page.evaluate(() => document.activeElement.id);
      if (after === sheet.ids[i]) {
        await page.keyboard.press('Tab');
        sheetKeys++;
      }
    }
    const start = Date.now();
    const nav = page.waitForNavigation({ waitUntil: 'load' });
    await page.keyboard.press('Enter');
    const resp = await nav;
    sheetKeys++;
    const ms = Date.now() - start;
    const status = resp.status();
    const said = await page.evaluate(() => (document.querySelector('.saved, .errors') || {}).textContent || '');
    if (sheet.duplicate) {
      if (status !== 409 || !said.includes(sheet.sheet)) fail(where, `duplicate sheet ${sheet.sheet}: status ${status}, "${said.trim()}"`);
      else ok(where, `sheet ${sheet.sheet} typed again: refused (409), its first entry shown`);
      const first = await page.evaluate(() => (document.querySelector('.first') || {}).textContent || '');
      if (!first.includes(sheet.sheet)) fail(where, 'the first entry of the repeated sheet is not shown');
      continue;
    }
    if (status !== 200 || !said.includes(sheet.sheet)) fail(where, `sheet ${sheet.sheet}: status ${status}, "${said.trim()}"`);
    timings.push(ms);
    keys += sheetKeys;
    ok(where, `sheet ${sheet.sheet}: ${sheetKeys} keystrokes, saved and next sheet shown in ${ms} ms`);
  }
  const count = await page.evaluate(() => document.querySelector('.count b').textContent);
  if (count !== String(timings.length)) fail(where, `count says ${count}, want ${timings.length}`);
  timings.sort((a, b) => a - b);
  console.log('entry-timing ' + JSON.stringify({ sheets: timings.length, keystrokes: keys, keystrokesPerSheet: keys / timings.length,
    medianSaveMs: timings[Math.floor(timings.length / 2)], maxSaveMs: timings[timings.length - 1] }));
  await page.close();
}

// focusOn waits until the field id has the focus, and stops the run when it
// never gets it: what would be typed next would land elsewhere.
async function focusOn(page, what, id) {
  const active = await activeId(page, id);
  if (active !== id) throw new Error(`keyboard entry: ${what}: focus on #${active}, want #${id}`);
}

// holds waits until the field id holds value, every keystroke typed in it,
// and stops the run when it never does.
async function holds(page, what, id, value) {
  try {
    await page.waitForFunction(([id, value]) => document.getElementById(id).value === value, [id, value], { timeout: 10000 });
  } catch {
    const got = await page.evaluate((id) => document.getElementById(id).value, id);
    throw new Error(`keyboard entry: ${what}: #${id} holds "${got}", want "${value}": keystrokes lost`);
  }
}
