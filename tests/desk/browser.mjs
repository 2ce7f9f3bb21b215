// The inspector's desk in Debian's headless Chromium, driven by playwright-core (tests/desk/browser_test.sh sets the
// environment): each page opened and photographed, figures checked against the CLI's --json, the as-of slider
// moved, a finding followed to its act, an inclusion proof verified by the page itself, and a scoped reader kept
// out of another unit's subject. Exit 1 on the first failure, naming it.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const { DESK_URL: url, DESK_PKI: pki, DESK_LEDGER: ledger, DESK_ANTQ: antq, DESK_SHOTS: shots } = process.env;
mkdirSync(shots, { recursive: true });
const cli = (...args) => JSON.parse(execFileSync(antq, args, { encoding: 'utf8' }));
let failed = false;
const check = (ok, what) => {
  console.log(`${ok ? 'ok' : 'FAIL'}: ${what}`);
  if (!ok) failed = true;
};

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--lang=vi-VN'],
});
// A browser of one person: their client certificate, Vietnamese locale, a screen of `width` x `height`.
async function as(who, width = 1366, height = 768) {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,  // the demo server's certificate chains to the demo root, which Chromium does not hold
    locale: 'vi-VN',
    viewport: { width, height },
    clientCertificates: [{ origin: url, certPath: `${pki}/${who}.crt`, keyPath: `${pki}/${who}.key` }],
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => { problems.push(`a dialog opened: ${d.message()}`); d.dismiss(); });
  return { context, page, problems };
}

const inspector = await as('inspector');
const { page } = inspector;
const open = async (path, name) => {
  const res = await page.goto(url + path);
  await page.waitForLoadState('load');
  if (name) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
  return res;
};

// Every page answers, in Vietnamese.
for (const [path, name] of [['/desk/', 'overview'], ['/desk/subject?id=YT-M01', 'subject'], ['/desk/stats', 'stats'],
                            ['/desk/audit', 'audit'], ['/desk/reports', 'reports'], ['/desk/verify?seq=100', 'verify'],
                            ['/v1/report?period=2026&format=html', 'report-2026']]) {
  const res = await open(path, name);
  check(res.status() === 200, `${path} answers 200 (${res.status()})`);
  if (path.startsWith('/desk/')) check((await page.getAttribute('html', 'lang')) === 'vi', `${path} is in Vietnamese`);
}

// Figures against the CLI's --json.
const stats = cli('stats', ledger, '--format', 'json');
await open('/desk/stats');
const totals = page.locator('#totals');
check(Number(await totals.getAttribute('data-points')) === stats.points &&
      Number(await totals.getAttribute('data-teams')) === stats.teams,
      `the statistics page's totals are antq stats's (${stats.points} points, ${stats.teams} teams)`);
// Over the years: each evaluation year's ratings as of 31 December, as antq stats gives them.
const year = Number(stats.year) - 1;
const thatYear = cli('stats', ledger, '--year', String(year), '--as-of', `${year}-12-31`, '--format', 'json');
const yearRow = page.locator('#s-years + figure + div table tbody tr', { hasText: String(year) }).first();
const goodThen = await yearRow.locator('td').nth(3).textContent();
check(goodThen.replace(/\./g, '') === String(thatYear.ratings.good) && thatYear.ratings.good > 0,
      `the statistics over the years give ${year}'s Good ratings as antq stats --year ${year} (${thatYear.ratings.good})`);
const audit = cli('audit', ledger, '--json');
await open('/desk/audit');
check(Number(await page.locator('#count').getAttribute('data-count')) === audit.findings.length,
      `the findings page lists as many findings as antq audit (${audit.findings.length})`);
await open('/desk/');
const good = await page.locator('#s-rating + div table tbody tr').first().locator('td').nth(1).textContent();
check(good.replace(/\./g, '') === String(stats.ratings.good), `the overview's Good ratings are antq stats's (${stats.ratings.good})`);

// A unit's overview: chosen in the page's form, its figures are antq stats --unit's.
await open('/desk/');
await page.fill('#unit', 'UBND xã Lạc Thịnh');
await Promise.all([page.waitForURL(/unit=/), page.click('form[action="/desk/"] button')]);
const unitStats = cli('stats', ledger, '--unit', 'UBND xã Lạc Thịnh', '--format', 'json');
const unitGood = await page.locator('#s-rating + div table tbody tr').first().locator('td').nth(1).textContent();
check(unitGood.replace(/\./g, '') === String(unitStats.ratings.good),
      `the unit's overview gives antq stats --unit's Good ratings (${unitStats.ratings.good})`);
await page.screenshot({ path: `${shots}/overview-unit.png` });

// The as-of slider: moved to the first act, the page shows the state antq show gives as of that day.
await open('/desk/subject?id=YT-M01');
const history = cli('history', ledger, 'YT-M01', '--json');
const first = history.acts[0].date;
const now = await page.locator('#stage').textContent();
await page.locator('#slider').focus();
await Promise.all([page.waitForURL(/as_of=/), page.keyboard.press('Home')]);
await page.waitForLoadState('load');
const then = await page.locator('#stage').textContent();
const cliThen = cli('show', ledger, 'YT-M01', '--as-of', first, '--json').stage;
check(page.url().includes(`as_of=${first}`), `the slider asked for the first act's day (${page.url()})`);
check(then !== now, `the state changed when the slider moved (${now} -> ${then})`);
const stageWords = { surveying: 'Đang khảo sát', proposed: 'Đề xuất xây dựng', established: 'Đã thành lập', active: 'Đang hoạt động' };
check(then === (stageWords[cliThen] || cliThen), `as of ${first} the page says what antq show says (${cliThen})`);
await page.screenshot({ path: `${shots}/subject-as-of.png`, fullPage: false });

// A finding followed to its act.
await open('/desk/audit?rule=missing-report');
const link = page.locator('table a.id').first();
const href = await link.getAttribute('href');
await Promise.all([page.waitForURL(/\/desk\/subject/), link.click()]);
const anchor = new URL(page.url()).hash;
check(anchor.startsWith('#e') && (await page.locator(anchor).count()) === 1, `the finding leads to its act (${href})`);

// An inclusion proof checked by the page itself (WebCrypto), against the signed checkpoint it shows.
await open('/desk/verify?seq=100');
await page.waitForFunction(() => document.getElementById('browser-check').className !== '', null, { timeout: 10000 });
check((await page.locator('#browser-check').getAttribute('class')) === 'ok',
      `the browser verified entry 100's proof: ${await page.locator('#browser-check').textContent()}`);
check((await page.locator('#steps li').count()) > 2, 'the page shows each step of the proof');
await page.screenshot({ path: `${shots}/verify-checked.png`, fullPage: true });
await page.locator('#s-proof').scrollIntoViewIfNeeded();
await page.screenshot({ path: `${shots}/verify-viewport.png` });  // the README's picture (docs/desk-verify.png)

// Markup typed into an act is text.
await open('/desk/subject?id=TL-X1', 'hostile');
check((await page.title()).startsWith('TL-X1'), `the act's <script> did not run (title: ${await page.title()})`);
check((await page.locator('main').textContent()).includes('<script>document.title="pwned"</script>'), "the act's markup shows as text");

// English, and a phone.
await open('/desk/subject?id=YT-M01&lang=en');
check((await page.getAttribute('html', 'lang')) === 'en', 'lang=en gives English');
const phone = await as('inspector', 390, 844);
await phone.page.goto(url + '/desk/subject?id=YT-M01');
await phone.page.screenshot({ path: `${shots}/subject-phone.png`, fullPage: false });
const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
check(overflow <= 1, `the subject page fits a phone's width (${overflow}px over)`);

// A reader scoped to UBND xã Tân Lập.
const police = await as('police');
let res = await police.page.goto(url + '/desk/subject?id=TL-X1');
check(res.status() === 200, 'the scoped reader opens its own unit\'s subject');
res = await police.page.goto(url + '/desk/subject?id=YT-M01');
check(res.status() === 404, `the scoped reader cannot open another unit's subject (${res.status()})`);
await police.page.screenshot({ path: `${shots}/scoped-404.png` });

for (const [who, b] of [['inspector', inspector], ['inspector on a phone', phone], ['police', police]])
  check(b.problems.filter((p) => !p.includes('404')).length === 0, `no script error, CSP violation or dialog for the ${who}: ${b.problems.join('; ')}`);
await browser.close();
console.log(`screenshots: ${shots}`);
process.exit(failed ? 1 : 0);
