// The organisers' journey in a real browser: Debian's Chromium, headless,
// driven by playwright-core, with axe-core checking every editing page.
//
//   node infra/e2e/organiser.mjs <baseURL> admin=<admin token> csv=<file> [out=<dir>]
//
// The administrator, in a browser of their own, signs in to /admin by
// keyboard and creates the event on /admin/nouveau, which shows the
// organisers' link and their token once. It prints "journey-event <id>"
// for the Go test. In another browser, the organiser:
//   - follows the organisers' link and logs in with the token typed on the
//     login form, by keyboard;
//   - lowers the anonymity threshold on the details page, by keyboard;
//   - imports the programme from the CSV file: preview (each session
//     "created"), then import;
//   - moves a session (first sending it ending before it starts: the error
//     summary's link takes focus to the field), by keyboard;
//   - adds a question of their own, with a help, and moves it up;
//   - prints the session's A4 poster: one page.
// In another browser, with no cookie, a participant finds the moved session
// on the event page and answers it, the new question included, its help
// shown under it and describing its field. Then the
// organiser corrects the question's label (the page now says what can no
// longer change), cancels a session (the participants' list drops it; its
// QR page says it was cancelled), and shares the session with its speaker
// on the accesses page. The speaker's page, opened from that link, shows
// the session's title, its answer count and the answer; the bilan counts
// it under the corrected label.
// axe-core runs on every editing page in French and in English (0
// violations), each also checked at 320 px for sideways scrolling and
// reading order, with the tap-target and focus checks of lib.mjs.
// It prints one line per check and exits 1 on any failure.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { harness, launch, openContext, parseArgs } from './lib.mjs';

const [base, arg] = parseArgs(1);
for (const k of ['admin', 'csv']) {
  if (!base || !arg[k]) {
    console.error('usage: node organiser.mjs <baseURL> admin=<admin token> csv=<file> [out=<dir>]');
    process.exit(2);
  }
}
const out = arg.out;
if (out) mkdirSync(out, { recursive: true });
// The event's id and organisers' path, once the administrator created it.
let ev = '';
let o = '';

const { context, close } = await openContext({ viewport: { width: 360, height: 640 } });
const browser = await chromium.launch(launch); // the administrator's and the participant's
const h = harness(context, base, out);
const { fail, ok, newPage, goto, audit, checkReflow, tabTo, activeId, submitAndWait, shot } = h;

const question = { fr: "Qu'avez-vous pensé du lieu ?", en: 'What did you think of the venue?', fixed: "Qu'avez-vous pensé du lieu et de l'accueil ?",
  help: "Facultatif : l'accès, la salle, le confort" };
const answerText = 'Lieu lumineux, accueil chaleureux';
// What the administrator types on /admin/nouveau.
const eventForm = {
  '#f-title': 'Numérique En Commun[s] Auvergne', '#f-place': 'Clermont-Ferrand',
  '#f-date': '2026-10-13', '#f-start': '09:00', '#f-end_date': '2026-10-13', '#f-end': '17:30', '#f-closes': '2026-11-30',
  '#f-series': 'nec-auvergne', '#f-edition': '3', '#f-emails': 'orga@tiers-lieu.example.org', '#f-access_name': 'Tiers-lieu',
};

await h.run(async () => {
  const token = await create();
  await journey(token);
  await everyPage();
}, async () => {
  await browser.close();
  await close();
});

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

// create signs the administrator in by keyboard and creates the event with
// the form of /admin/nouveau; it returns the organisers' token shown once.
async function create() {
  const where = 'admin';
  const actx = await browser.newContext({ viewport: { width: 360, height: 640 }, extraHTTPHeaders: { 'Accept-Language': 'fr-FR' } });
  const page = await actx.newPage();
  await page.goto(`${base}/admin`, { waitUntil: 'load' });
  await page.focus('#token');
  await page.keyboard.type(arg.admin);
  let resp = await submitAndWait(page);
  if (resp.status() !== 200 || !(await page.$('a[href*="/admin/nouveau"]'))) fail(where, `sign-in = ${resp.status()} at ${page.url()}`);
  else ok(where, 'signed in to /admin by keyboard');
  await page.goto(`${base}/admin/nouveau?lang=fr`, { waitUntil: 'load' });
  for (const [sel, value] of Object.entries(eventForm)) await page.fill(sel, value);
  await page.check('#f-lang-fr');
  await page.check('#f-lang-en');
  await page.focus('#f-title');
  resp = await submitAndWait(page);
  const token = await page.locator('#new-token').inputValue().catch(() => '');
  const href = await page.locator('.once a[href*="/o/"]').first().getAttribute('href').catch(() => '');
  if (resp.status() !== 201 || !token || !href) throw new Error(`creating the event = ${resp.status()}: ${(await page.content()).slice(0, 400)}`);
  ok(where, 'event created on /admin/nouveau: its organisers\' link and token shown once');
  o = new URL(href, base).pathname;
  ev = o.split('/').pop();
  console.log(`journey-event ${ev}`);
  await actx.close();
  return token;
}

async function journey(token) {
  let where = 'login';
  const page = await newPage('fr', () => where);

  // The organiser follows the link and logs in by keyboard.
  await goto(page, o, 200);
  await tabTo(page, where, 'the token field', (a) => a.id === 'token');
  await page.keyboard.type(token);
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
  const focused = await activeId(page, link.href.slice(1));
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
  await add.locator('input[name=help_fr]').fill(question.help);
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
  const helpText = await p.locator(`#q-${qid}-help`).textContent();
  const describedBy = await p.locator(`textarea[name=q_${qid}]`).getAttribute('aria-describedby');
  if (helpText !== question.help || describedBy !== `q-${qid}-help`) fail(where, `our question's help "${helpText}", its field described by "${describedBy}"`);
  else ok(where, 'our question\'s help shows under it and describes its field');
  await p.locator(`textarea[name=q_${qid}]`).fill(answerText);
  const sent = p.waitForNavigation({ waitUntil: 'load' });
  await p.locator('button[type=submit]').first().click();
  const thanks = await sent;
  // The post answers with the thank-you page itself, at its address.
  const thanksH1 = await p.locator('h1').first().textContent();
  if (thanks.status() !== 200 || !p.url().endsWith('/answers') || thanksH1 !== 'Merci\u00a0!') fail(where, `after sending: ${thanks.status()} at ${p.url()}, h1 "${thanksH1}"`);
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
  await goto(page, `${o}/acces?lang=fr`, 200);
  await page.selectOption('#f-session', session);
  resp = await enter(page, page.locator('form[action*="/partages"] button'));
  const shareURL = await page.locator('#new-share').inputValue().catch(() => '');
  if (resp.status() !== 201 || !shareURL.includes(`/s/${ev}/rts_`)) throw new Error(`share = ${resp.status()}, link "${shareURL}"`);
  ok(where, 'the atelier shared on the accesses page: its link shown once');
  const speaker = await p.goto(base + new URL(shareURL).pathname, { waitUntil: 'load' });
  const speakerH1 = (await p.locator('h1').first().textContent()).trim();
  const counts = await p.locator('td.num').allTextContents();
  const texts = await p.locator('ul.notes li').allTextContents();
  if (speaker.status() !== 200 || !(speaker.headers()['content-type'] || '').startsWith('text/html')) fail(where, `speaker's page = ${speaker.status()} ${speaker.headers()['content-type']}`);
  else if (speakerH1 !== 'Atelier médiation') fail(where, `speaker's page h1 "${speakerH1}", want the session's title`);
  else if (counts[0] !== '1') fail(where, `speaker's page counts ${JSON.stringify(counts)}, want 1 answer first`);
  else if (!texts.some((t) => t.includes(answerText))) fail(where, `speaker's page free texts ${JSON.stringify(texts)}, want "${answerText}"`);
  else ok(where, `the speaker\'s page shows the session, 1 answer (figures ${counts.join(' ')}) and its free text`);
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
