// The participants' journey in a real browser: Debian's Chromium, headless,
// driven by playwright-core, with axe-core checking every page.
//
//   node infra/e2e/survey.mjs <baseURL> form=<path> event=<path> closed=<path> upcoming=<path>
//        [poster=<path> token=<organiser token>] [organisers=<path>]
//        [erasure=<path> erasuretoken=<organiser token>] [out=<dir>]
//
// form is a session's questionnaire (open now), event the event page, closed
// a questionnaire whose answers have closed and upcoming one not open yet.
// poster is an organiser's A4 poster, fetched with the organisers' cookie
// set to token; organisers the organisers' page of that event, erasure the
// organisers' page of an event being erased, with the cookie set to
// erasuretoken. Screenshots go to out when given. In French and in English, it:
//   - opens the session URL at 360×640 and runs axe on each page: event page,
//     form, form with errors, thank-you page, note with errors, note saved,
//     closed and not-yet-open pages, privacy notice, unknown page;
//   - sends the form empty by keyboard, follows the error summary's link,
//     fills every question by keyboard only (Tab, arrows, Space, typing) and
//     sends it, gets the thank-you page from the post itself, reloads it
//     (the answer is sent again, and stored once: the Go test counts), then
//     leaves a note the same way;
//   - switches language with the visible link;
//   - checks at 320 px, at 200 % text size and at 200 % page zoom that
//     nothing overflows sideways and that reading order follows the layout;
//   - runs axe on the poster and prints it to PDF on A4: exactly one page;
//   - runs axe on the organisers' page, its erase form, and the page that
//     follows an erasure, which reloads itself without JavaScript.
// Everywhere it checks: no request leaves the server, no console error (so
// no Content-Security-Policy violation), the stylesheet applies, focus is
// visible at each Tab stop, and controls are at least 44 px.
// It prints one line per check and exits 1 on any failure.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { harness, openContext, parseArgs } from './lib.mjs';

const [base, arg] = parseArgs(1);
for (const k of ['form', 'event', 'closed', 'upcoming']) {
  if (!base || !arg[k]) {
    console.error('usage: node survey.mjs <baseURL> form=<path> event=<path> closed=<path> upcoming=<path> [out=<dir>]');
    process.exit(2);
  }
}
const out = arg.out;
if (out) mkdirSync(out, { recursive: true });

const text = {
  fr: { thanks: 'Merci\u00a0!', switchTo: 'English', saved: 'Votre réponse est bien enregistrée.', noteSaved: 'Merci, votre note est enregistrée.' },
  en: { thanks: 'Thank you!', switchTo: 'Français', saved: 'Your answer has been saved.', noteSaved: 'Thank you, your note has been saved.' },
};

const { context, close } = await openContext({ viewport: { width: 360, height: 640 }, hasTouch: false });
const h = harness(context, base, out);
const { failures, fail, ok, newPage, goto, audit, axeCheck, checkReflow, tabTo, activeId, submitAndWait, shot } = h;

await h.run(async () => {
  for (const lang of ['fr', 'en']) {
    await journey(lang);
  }
  await layout('fr');
  if (arg.poster) await poster('fr');
  for (const lang of ['fr', 'en']) {
    if (arg.organisers) await organisersPage(lang, arg.organisers, arg.token, 'organisers', checkEraseForm, false);
    if (arg.erasure) await organisersPage(lang, arg.erasure, arg.erasuretoken, 'erasure', checkErasure, true);
  }
}, close);

async function journey(lang) {
  let where = `journey (${lang})`;
  const page = await newPage(lang, () => where);
  await page.setViewportSize({ width: 360, height: 640 });
  const t = text[lang];

  where = `event page (${lang})`;
  await goto(page, arg.event, 200);
  await audit(page, 'event', lang);
  await shot(page, `event-360-${lang}`);

  // The QR code of a session opens its questionnaire directly.
  where = `form (${lang})`;
  await goto(page, arg.form, 200);
  await audit(page, 'form', lang);
  await shot(page, `form-360-${lang}`);

  // The language switch is the first stop after the event's name.
  const sw = await tabTo(page, where, 'the language switch', (a) => a.tag === 'a');
  if (sw.text !== t.switchTo) fail(where, `first link is "${sw.text}", want the language switch "${t.switchTo}"`);
  await submitAndWait(page);
  const other = lang === 'fr' ? 'en' : 'fr';
  const switched = await page.evaluate(() => document.documentElement.lang);
  if (switched !== other) fail(where, `after the switch, lang="${switched}", want ${other}`);
  else ok(where, `the language switch leads to the ${other} page`);
  await goto(page, arg.form, 200);

  // Send it empty but for one text: the error state.
  where = `form errors (${lang})`;
  await tabTo(page, where, 'the first text question', (a) => a.tag === 'textarea');
  await page.keyboard.type(lang === 'fr' ? 'Monter un atelier chez nous' : 'Run a workshop at home');
  await tabTo(page, where, 'the submit button', (a) => a.tag === 'button');
  const errResp = await submitAndWait(page);
  if (errResp.status() !== 400) fail(where, `status ${errResp.status()}, want 400`);
  const kept = await page.$eval('textarea', (el) => el.value);
  if (!/atelier|workshop/.test(kept)) fail(where, `the text typed was not kept: "${kept}"`);
  await audit(page, 'form-error', lang);
  await shot(page, `form-error-360-${lang}`);
  const title = await page.title();
  if (!/^(Erreur|Error) – /.test(title)) fail(where, `title "${title}" does not start by saying there is an error`);

  // The error summary's link takes focus to the question.
  const link = await tabTo(page, where, 'the error summary link', (a) => a.tag === 'a' && a.href.startsWith('#'));
  await page.keyboard.press('Enter');
  const focused = await activeId(page, link.href.slice(1));
  if ('#' + focused !== link.href) fail(where, `following ${link.href} focused #${focused}`);
  else ok(where, `the summary link ${link.href} moves focus to the question`);

  // Fill every question by keyboard: arrows move within a radio group.
  where = `form filling (${lang})`;
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight'); // satisfaction 1 → 4
  await tabTo(page, where, 'the NPS question', (a) => a.name === 'q_nps');
  for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowRight'); // 0 → 9
  await tabTo(page, where, 'the meetings question', (a) => a.name === 'q_rencontres');
  await page.keyboard.press('Space');
  await tabTo(page, where, 'the profile question', (a) => a.name === 'q_profil');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown'); // elu → agent → association
  await tabTo(page, where, 'the comment', (a) => a.name === 'q_commentaire');
  await page.keyboard.type(lang === 'fr' ? 'Très bon atelier, merci !' : 'Great workshop, thanks!');
  const values = await page.evaluate(() => Object.fromEntries(new FormData(document.querySelector('form'))));
  const want = { q_satisfaction: '4', q_nps: '9', q_rencontres: 'oui', q_profil: 'association' };
  for (const [k, v] of Object.entries(want)) {
    if (values[k] !== v) fail(where, `${k} = ${values[k]}, want ${v}`);
  }
  await tabTo(page, where, 'the submit button', (a) => a.tag === 'button');
  const sent = await submitAndWait(page);

  // The post answers with the thank-you page itself: no redirect, no third
  // request.
  where = `thanks (${lang})`;
  if (sent.status() !== 200 || !page.url().endsWith('/answers')) {
    fail(where, `after sending: status ${sent.status()} at ${page.url()}, want 200 and the thank-you page at the post's address`);
  }
  if (sent.request().redirectedFrom()) fail(where, 'the post was redirected');
  const h1 = await page.$eval('h1', (el) => el.textContent);
  if (h1 !== t.thanks) fail(where, `h1 "${h1}", want "${t.thanks}"`);
  const status = await page.$eval('[role=status]', (el) => el.textContent);
  if (status !== t.saved) fail(where, `status "${status}", want "${t.saved}"`);
  else ok(where, 'answer sent by keyboard only, the thank-you page in one request');
  await audit(page, 'thanks', lang);
  await shot(page, `thanks-360-${lang}`);

  // A reload sends the same answer again (its submission id) and gets the
  // same page; the test counts the answers stored.
  where = `thanks reloaded (${lang})`;
  const before = await sent.text();
  const posts = [];
  const onRequest = (req) => { if (req.method() === 'POST') posts.push(new URL(req.url()).pathname); };
  page.on('request', onRequest);
  const again = await page.reload({ waitUntil: 'load' });
  page.off('request', onRequest);
  if (!again || again.status() !== 200) fail(where, `status ${again && again.status()}, want 200`);
  if (posts.length !== 1 || !posts[0].endsWith('/answers')) fail(where, `the reload sent ${JSON.stringify(posts)}, want the answer once more`);
  if (again && (await again.text()) !== before) fail(where, 'the page sent for the reload differs from the first');
  else ok(where, 'a reload sends the answer again and shows the same page');

  // A note sent empty, then a real one, by keyboard.
  where = `note errors (${lang})`;
  await tabTo(page, where, 'the note button', (a) => a.tag === 'button');
  const noteErr = await submitAndWait(page);
  if (noteErr.status() !== 400) fail(where, `status ${noteErr.status()}, want 400`);
  await audit(page, 'note-error', lang);
  where = `note (${lang})`;
  await tabTo(page, where, 'the note kind', (a) => a.name === 'kind');
  await page.keyboard.press('Space');
  await tabTo(page, where, 'the note text', (a) => a.tag === 'textarea');
  await page.keyboard.type(lang === 'fr' ? "Autant d'élus que d'associations !" : 'As many councillors as non-profits!');
  await tabTo(page, where, 'the note button', (a) => a.tag === 'button');
  const noted = await submitAndWait(page);
  if (noted.status() !== 200 || !page.url().endsWith('/notes')) fail(where, `status ${noted.status()} at ${page.url()}, want 200 and the page at the post's address`);
  const done = await page.$eval('[role=status]', (el) => el.textContent).catch(() => '');
  if (!done.startsWith(t.noteSaved)) fail(where, `status "${done}", want "${t.noteSaved}…"`);
  else ok(where, 'note sent by keyboard only');
  await audit(page, 'note-saved', lang);

  for (const [name, path, code] of [['closed', arg.closed, 200], ['upcoming', arg.upcoming, 200],
    ['privacy', '/confidentialite', 200], ['not-found', '/e/nothing-here', 404]]) {
    where = `${name} (${lang})`;
    await goto(page, path, code);
    const hasForm = await page.$('form');
    if (hasForm) fail(where, 'shows a form');
    await audit(page, name, lang);
    await shot(page, `${name}-360-${lang}`);
  }
  await page.close();
}

// layout checks reflow and reading order where low vision puts them.
async function layout(lang) {
  let where = 'layout';
  const page = await newPage(lang, () => where);

  where = 'form at 320 px';
  await page.setViewportSize({ width: 320, height: 640 });
  await goto(page, arg.form, 200);
  await checkReflow(page, where);
  await shot(page, 'form-320-fr');

  where = 'event page at 320 px';
  await goto(page, arg.event, 200);
  await checkReflow(page, where);

  // 200 % text size on a phone (the browser's font-size setting).
  where = 'form at 360 px, text 200 %';
  await page.setViewportSize({ width: 360, height: 640 });
  await goto(page, arg.form, 200);
  await page.evaluate(() => { document.documentElement.style.fontSize = '200%'; });
  await checkReflow(page, where);
  await shot(page, 'form-360-text200-fr');

  // 200 % page zoom on a 1280×800 screen leaves 640×400 CSS pixels.
  where = 'form at 200 % zoom of 1280×800';
  await page.setViewportSize({ width: 640, height: 400 });
  await goto(page, arg.form, 200);
  await checkReflow(page, where);
  await shot(page, 'form-zoom200-fr');
  if (!failures.some((f) => f.startsWith('form at') || f.startsWith('event page at'))) {
    ok('layout', 'no sideways scrolling and reading order follows the layout at 320 px, 200 % text and 200 % zoom');
  }
  await page.close();
}

// poster checks the organisers' poster: accessible, and one A4 page.
async function poster(lang) {
  let where = 'poster';
  const origin = new URL(base);
  await context.addCookies([{ name: 'retours_organiser', value: arg.token || '', domain: origin.hostname, path: '/', httpOnly: true, sameSite: 'Strict' }]);
  const page = await newPage(lang, () => where);
  await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
  await goto(page, arg.poster, 200);
  const styled = await page.evaluate(() => getComputedStyle(document.querySelector('.poster')).display);
  if (styled !== 'flex') fail(where, `stylesheet not applied (.poster display ${styled}): blocked by the Content-Security-Policy?`);
  await axeCheck(page, 'poster', lang);
  await shot(page, 'poster-a4-fr');
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  if (pages !== 1) fail(where, `prints on ${pages} A4 pages, want 1`);
  else ok(where, 'prints on one A4 page');
  if (out) {
    await page.screenshot({ path: join(out, 'poster-print-fr.png'), fullPage: true });
  }
  await page.close();
}

// organisersPage runs axe on an organisers' page at path, with the
// organisers' cookie set to token, every shared check too when full, then
// check.
async function organisersPage(lang, path, token, name, check, full) {
  const where = `${name} (${lang})`;
  const origin = new URL(base);
  await context.addCookies([{ name: 'retours_organiser', value: token || '', domain: origin.hostname, path: '/', httpOnly: true, sameSite: 'Strict' }]);
  const page = await newPage(lang, () => where);
  await goto(page, `${path}?lang=${lang}`, 200);
  if (full) {
    await audit(page, name, lang);
  } else {
    await axeCheck(page, name, lang);
  }
  await check(page, where);
  await shot(page, `${name}-${lang}`);
  await page.close();
}

// checkEraseForm checks that the erase form's field is labelled and its
// controls at least 44 px tall.
async function checkEraseForm(page, where) {
  const label = await page.evaluate(() => document.querySelector('label[for="confirm"]')?.textContent || '');
  if (!label.trim()) fail(where, 'the erase form has no labelled confirmation field');
  else ok(where, 'the erase form asks for the event id, labelled');
  const small = await page.evaluate(() => [...document.querySelectorAll('form[action*="/erase"] input, form[action*="/erase"] button')]
    .map((el) => el.getBoundingClientRect()).filter((r) => r.height < 44).length);
  if (small) fail(where, `${small} erase form control(s) under 44 px tall`);
}

// checkErasure checks that the erasure's page says where it stands, and
// reloads itself while it runs.
async function checkErasure(page, where) {
  const status = await page.evaluate(() => document.querySelector('[role="status"]')?.textContent || '');
  const refresh = await page.evaluate(() => document.querySelector('meta[http-equiv="refresh"]')?.content || '');
  if (!status.trim()) fail(where, 'no status says where the erasure stands');
  else if (/5 s|5 sec/.test(status) && refresh !== '5') fail(where, `says it reloads, meta refresh "${refresh}"`);
  else ok(where, `says "${status.trim().slice(0, 60)}…"${refresh ? ', reloads every ' + refresh + ' s' : ''}`);
}
