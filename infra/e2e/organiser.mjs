// The organisers' journey in a real browser: Debian's Chromium, headless,
// driven by playwright-core, with axe-core checking every editing page.
//
//   node infra/e2e/organiser.mjs <baseURL> event=<id> token=<organiser token> csv=<file> [out=<dir>]
//
// The event was just created by the administrator. In one browser, the
// organiser:
//   - logs in with the token typed on the login form, by keyboard;
//   - lowers the anonymity threshold on the details page, by keyboard;
//   - imports the programme from the CSV file: preview (each session
//     "created"), then import;
//   - moves a session (first sending it ending before it starts: the error
//     summary's link takes focus to the field), by keyboard;
//   - adds a question of their own, and moves it up;
//   - prints the session's A4 poster: one page.
// In another browser, with no cookie, a participant finds the moved session
// on the event page and answers it, the new question included. Then the
// organiser corrects the question's label (the page now says what can no
// longer change), cancels a session (the participants' list drops it; its
// QR page says it was cancelled), and shares the session with its speaker.
// The speaker's page shows the answer; the bilan counts it under the
// corrected label.
// axe-core runs on every editing page in French and in English (0
// violations), each also checked at 320 px for sideways scrolling and
// reading order, with the tap-target and focus checks of lib.mjs.
// It prints one line per check and exits 1 on any failure.

import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { harness } from './lib.mjs';

const [base, ...rest] = process.argv.slice(2);
const arg = Object.fromEntries(rest.map((a) => a.split(/=(.*)/s).slice(0, 2)));
for (const k of ['event', 'token', 'csv']) {
  if (!base || !arg[k]) {
    console.error('usage: node organiser.mjs <baseURL> event=<id> token=<organiser token> csv=<file> [out=<dir>]');
    process.exit(2);
  }
}
const out = arg.out;
if (out) mkdirSync(out, { recursive: true });
const ev = arg.event;
const o = `/o/${ev}`;

const launch = { executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'] };
const profile = mkdtempSync(join(tmpdir(), 'retours-chromium-'));
const context = await chromium.launchPersistentContext(profile, { ...launch, viewport: { width: 360, height: 640 }, deviceScaleFactor: 1 });
const browser = await chromium.launch(launch); // the participant's: no cookie
const h = harness(context, base, out);
const { fail, ok, newPage, goto, audit, checkReflow, tabTo, submitAndWait, shot } = h;

const question = { fr: "Qu'avez-vous pensé du lieu ?", en: 'What did you think of the venue?', fixed: "Qu'avez-vous pensé du lieu et de l'accueil ?" };
const answerText = 'Lieu lumineux, accueil chaleureux';

try {
  await journey();
  await everyPage();
} catch (err) {
  fail('run', err.stack || String(err));
} finally {
  await browser.close();
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
h.report();

// post submits the form holding el by pressing Enter on it, and waits.
async function enter(page, locator) {
  await locator.focus();
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  await page.keyboard.press('Enter');
  return nav;
}

async function text(page, selector) {
  return (await page.locator(selector).first().textContent().catch(() => '')) || '';
}

async function journey() {
  let where = 'login';
  const page = await newPage('fr', () => where);

  // The organiser logs in by keyboard.
  await goto(page, o, 200);
  await tabTo(page, where, 'the token field', (a) => a.id === 'token');
  await page.keyboard.type(arg.token);
  const login = await submitAndWait(page);
  if (!page.url().includes(o) || login.status() !== 200 || !(await page.$('ul.nav'))) fail(where, `after login at ${page.url()} (${login.status()})`);
  else ok(where, 'logged in by keyboard; the navigation shows');

  // Details: the anonymity threshold lowered to 1, by keyboard.
  where = 'details';
  await tabTo(page, where, 'the details link of the navigation', (a) => a.tag === 'a' && a.href.includes('/modifier'));
  await submitAndWait(page);
  await tabTo(page, where, 'the anonymity threshold', (a) => a.id === 'd-anonymity_threshold');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('1');
  let resp = await submitAndWait(page);
  if (resp.status() !== 200 || !(await text(page, '[role=status]')).includes('Modifications enregistrées')) fail(where, `save = ${resp.status()}`);
  else ok(where, 'details saved by keyboard');

  // Programme: preview, then import.
  where = 'programme';
  await goto(page, `${o}/programme?lang=fr`, 200);
  await page.setInputFiles('#p-file', arg.csv);
  await tabTo(page, where, 'the preview button', (a) => a.tag === 'button');
  resp = await submitAndWait(page);
  const created = await page.locator('td', { hasText: /^Créée$/ }).count();
  if (resp.status() !== 200 || created !== 3) fail(where, `preview = ${resp.status()}, ${created} sessions to create, want 3`);
  else ok(where, 'the preview lists 3 sessions to create, nothing written');
  await audit(page, 'programme-preview', 'fr');
  await shot(page, 'programme-preview-360-fr');
  await tabTo(page, where, 'the import button', (a) => a.tag === 'button' && a.value === 'apply');
  resp = await submitAndWait(page);
  if (!page.url().includes('/sessions') || !(await text(page, '[role=status]')).includes('Programme importé')) fail(where, `after import at ${page.url()}`);
  else ok(where, 'programme imported');

  // Sessions: the atelier moves to 10:45; sent first ending before it starts.
  where = 'sessions';
  const atelier = page.locator('form', { has: page.locator('legend', { hasText: 'Atelier médiation' }) });
  await atelier.locator('input[name=starts_at]').fill('2026-10-13T10:45');
  await atelier.locator('input[name=ends_at]').fill('2026-10-13T10:00');
  resp = await enter(page, atelier.locator('input[name=title]'));
  if (resp.status() !== 400) fail(where, `ends before it starts = ${resp.status()}, want 400`);
  await audit(page, 'sessions-error', 'fr');
  const link = await tabTo(page, where, 'the error summary link', (a) => a.tag === 'a' && a.href.startsWith('#'));
  await page.keyboard.press('Enter');
  const focused = await page.evaluate(() => document.activeElement.id);
  if ('#' + focused !== link.href || !focused.endsWith('-ends_at')) fail(where, `following ${link.href} focused #${focused}`);
  else ok(where, `the summary link ${link.href} moves focus to the end`);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  const moved = page.locator('form', { has: page.locator('legend', { hasText: 'Atelier médiation' }) });
  await moved.locator('input[name=ends_at]').fill('2026-10-13T12:15');
  resp = await enter(page, moved.locator('input[name=title]'));
  const startNow = await page.locator('form', { has: page.locator('legend', { hasText: 'Atelier médiation' }) }).locator('input[name=starts_at]').inputValue();
  if (resp.status() !== 200 || startNow !== '2026-10-13T10:45') fail(where, `moved = ${resp.status()}, starts ${startNow}`);
  else ok(where, 'session moved to 10:45');

  // Questionnaire: a question of one's own, moved up.
  where = 'questionnaire';
  await goto(page, `${o}/questionnaire?lang=fr`, 200);
  const add = page.locator('form#q-new');
  await add.locator('select[name=kind]').selectOption('text');
  await add.locator('input[name=label_fr]').fill(question.fr);
  await add.locator('input[name=label_en]').fill(question.en);
  resp = await enter(page, add.locator('input[name=label_en]'));
  const last = page.locator('form.question').nth(-2); // the last question's, before the form that adds one
  const qid = (await last.getAttribute('id')).replace(/^q-/, '');
  if (resp.status() !== 200 || (await last.locator('input[name=label_fr]').inputValue()) !== question.fr) fail(where, `add = ${resp.status()}`);
  else ok(where, 'question of our own added');
  resp = await enter(page, page.locator(`#question-${qid} button[value=up]`));
  const order = await page.locator('form.question').evaluateAll((fs) => fs.map((f) => f.id));
  if (order[order.length - 3] !== `q-${qid}`) fail(where, `the question did not move up: ${order.join(' ')}`);
  else ok(where, 'question moved up by its button');

  // A poster for the atelier, printed on one A4 page.
  where = 'poster';
  await goto(page, `${o}?lang=fr`, 200);
  const posterHref = await page.locator('tr', { hasText: 'Atelier médiation' }).locator('a', { hasText: 'Affiche A4' }).getAttribute('href');
  const atelierURL = await page.locator('tr', { hasText: 'Atelier médiation' }).locator('td a').first().getAttribute('href');
  const session = atelierURL.split('/').pop();
  await page.setViewportSize({ width: 794, height: 1123 });
  await goto(page, posterHref, 200);
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  if (pages !== 1) fail(where, `prints on ${pages} pages, want 1`);
  else ok(where, 'the atelier\'s poster prints on one A4 page');
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize({ width: 360, height: 640 });

  // A participant, in another browser, finds the moved atelier and answers.
  where = 'participant';
  const pctx = await browser.newContext({ viewport: { width: 360, height: 640 }, extraHTTPHeaders: { 'Accept-Language': 'fr-FR' } });
  const p = await pctx.newPage();
  await p.goto(`${base}/e/${ev}`);
  await p.locator('a', { hasText: 'Atelier médiation' }).click();
  if (!new URL(p.url()).pathname.endsWith(`/e/${ev}/${session}`)) fail(where, `the event page leads to ${p.url()}`);
  await p.locator('input[name=q_satisfaction][value="5"]').check();
  await p.locator(`textarea[name=q_${qid}]`).fill(answerText);
  const sent = p.waitForNavigation({ waitUntil: 'load' });
  await p.locator('button[type=submit]').first().click();
  await sent;
  if (!p.url().includes('/merci')) fail(where, `after sending at ${p.url()}`);
  else ok(where, 'answered the moved atelier, our question included');

  // The label is corrected; the page now says what can no longer change.
  where = 'label';
  await goto(page, `${o}/questionnaire?lang=fr`, 200);
  // Its labels are folded under the question: opened by keyboard.
  await page.locator(`#question-${qid} summary`).focus();
  await page.keyboard.press('Enter');
  const ours = page.locator(`form#q-${qid}`);
  await ours.locator('input[name=label_fr]').fill(question.fixed);
  resp = await enter(page, ours.locator('input[name=label_fr]'));
  if (resp.status() !== 200 || (await page.locator(`form#q-${qid} input[name=label_fr]`).inputValue()) !== question.fixed) fail(where, `correct = ${resp.status()}`);
  else ok(where, 'label corrected after an answer');
  if (!(await text(page, 'section.locked h2')).includes('ce qui ne peut plus changer') || (await page.$('button[value=delete]'))) fail(where, 'the page does not say what is locked');
  else ok(where, 'the page says what can no longer change, and offers to retire rather than delete');
  await audit(page, 'questionnaire-locked', 'fr');

  // The table ronde is cancelled: gone from the participants' list.
  where = 'cancel';
  await goto(page, `${o}/sessions?lang=fr`, 200);
  const tr = page.locator('form', { has: page.locator('legend', { hasText: 'Table ronde' }) });
  const trID = (await tr.getAttribute('id')).replace(/^s-/, '');
  resp = await enter(page, tr.locator('button[value=cancel]'));
  if (!(await text(page, '[role=status]')).includes('Session annulée')) fail(where, `cancel = ${resp.status()}`);
  await p.goto(`${base}/e/${ev}`);
  if (await p.locator('a', { hasText: 'Table ronde' }).count()) fail(where, 'the cancelled session is still listed');
  await p.goto(`${base}/e/${ev}/${trID}`);
  if (!(await p.locator('h1').textContent()).includes('Session annulée')) fail(where, 'its QR page does not say it was cancelled');
  else ok(where, 'cancelled: off the list, its QR page says so');

  // The atelier is shared with its speaker; their page and the bilan show
  // the answer.
  where = 'share';
  const share = await context.request.post(`${base}/api/events/${ev}/sessions/${session}/shares`);
  if (share.status() !== 201) throw new Error(`share = ${share.status()} ${await share.text()}`);
  const shareURL = new URL((await share.json()).url);
  const speaker = await p.goto(base + shareURL.pathname);
  const speakerBody = await speaker.text();
  if (speaker.status() !== 200 || !speakerBody.includes(answerText)) fail(where, `speaker's page = ${speaker.status()}: ${speakerBody.slice(0, 300)}`);
  else ok(where, 'the speaker\'s page shows the answer');
  await goto(page, `/api/events/${ev}/bilan?format=html&lang=fr`, 200);
  const bilan = await page.content();
  // The bilan counts free texts under their question and sums them up in
  // themes once there are enough; the answer is there, under the label as
  // corrected.
  const ourSection = bilan.split(`<h3>${question.fixed}</h3>`)[1] || '';
  if (!/^\s*<p>1 /.test(ourSection)) fail('bilan', 'the bilan does not count the answer under the corrected label');
  else ok('bilan', 'the bilan counts the answer under the corrected label');
  await pctx.close();
  await page.close();
}

// everyPage runs axe and the layout checks on each editing page, in French
// and in English, and at 320 px.
async function everyPage() {
  for (const lang of ['fr', 'en']) {
    let where = `pages (${lang})`;
    const page = await newPage(lang, () => where);
    for (const [name, path] of [['dashboard', ''], ['details', '/modifier'], ['sessions', '/sessions'], ['questionnaire', '/questionnaire'],
      ['programme', '/programme'], ['edition', '/edition']]) {
      where = `${name} (${lang})`;
      await page.setViewportSize({ width: 360, height: 640 });
      await goto(page, `${o}${path}?lang=${lang}`, 200);
      await audit(page, name, lang);
      await shot(page, `${name}-360-${lang}`);
      where = `${name} at 320 px (${lang})`;
      await page.setViewportSize({ width: 320, height: 640 });
      await checkReflow(page, where);
    }
    // The new edition's sessions, shown before creating it.
    where = `edition preview (${lang})`;
    await page.setViewportSize({ width: 360, height: 640 });
    await goto(page, `${o}/edition?lang=${lang}`, 200);
    await tabTo(page, where, 'the preview button', (a) => a.tag === 'button');
    const resp = await submitAndWait(page);
    if (resp.status() !== 200 || !(await page.$('input[name=starts_at_0]'))) fail(where, `preview = ${resp.status()}`);
    await audit(page, 'edition-preview', lang);
    await page.close();
  }
}
