// Drives the login demo in headless Chromium through the whole chain:
// the browser talks to workerd running the edge gate, whose origin is the
// Lambda function behind a local Function URL.
//
// Usage: node chain.mjs, then one job per line on stdin, as JSON:
//   {"url": "<gate URL>", "renew": true|false, "refusal": "<why>"}
// renew: the gate holds a sealing key and must renew the session;
// refusal: why the gate must refuse the session cookie copied before
// the logout (quoted when it does not). Each job runs in a fresh browser context (no cookies) of
// one Chromium; its steps print "ok: ..." lines and it ends with a line
// "PASS" or "FAIL: <reason>".
// Environment: PLAYWRIGHT_CORE (path of playwright-core/index.mjs),
// CHROMIUM (path of the browser).
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const { chromium } = await import(pathToFileURL(process.env.PLAYWRIGHT_CORE).href);

const email = 'ann@example.com';
const cookieName = '__Host-session';

function fail(msg) {
  throw new Error(msg);
}

async function bodyText(page) {
  return (await page.locator('body').innerText()).replace(/\s+/g, ' ').trim();
}

async function expectText(page, step, wants, unwanted = []) {
  const text = await bodyText(page);
  for (const w of wants) if (!text.includes(w)) fail(`${step}: page lacks ${JSON.stringify(w)}; it shows ${JSON.stringify(text)}`);
  for (const u of unwanted) if (text.includes(u)) fail(`${step}: page still shows ${JSON.stringify(u)}; it shows ${JSON.stringify(text)}`);
}

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

// flow runs the whole loop against the gate at job.url.
async function flow(browser, job) {
  const base = job.url.replace(/\/$/, '');
  const t0 = Date.now();
  const ok = (step) => console.log(`ok: ${step} [${((Date.now() - t0) / 1000).toFixed(1)} s]`);

  // session returns the value of the session cookie the browser holds
  // for the gate's host, or null.
  const session = async () => {
    const mine = (await context.cookies(base)).filter((c) => c.name === cookieName);
    return mine.length ? mine[0].value : null;
  };
  // expectLoginPage checks that the browser, sent to a protected page,
  // ended on the login form at "/" (the gate's 303).
  const expectLoginPage = async (resp, step) => {
    if (new URL(page.url()).pathname !== '/') fail(`${step}: the browser is at ${page.url()}, not sent to the login page`);
    if (resp.request().redirectedFrom() === null) fail(`${step}: no redirect on the way to the login page`);
    if (await page.locator('form#login').count() !== 1) fail(`${step}: no login form`);
  };

  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  page.setDefaultNavigationTimeout(30000);
  try {
    // Anonymous: the gate sends the protected page to the login form.
    await expectLoginPage(await page.goto(base + '/private/whoami'), 'anonymous');
    ok('anonymous: the gate redirects the protected page to the login form');

    // Log in at the origin, through the gate.
    await page.fill('#email', email);
    await page.fill('#password', 'correct');
    await submit(page, 'form#login button');
    await expectText(page, 'login', ['Login successful', `Log out ${email}`]);
    const issued = await session();
    if (!issued) fail('login: no session cookie in the browser');
    ok(`login at the origin (Lambda), session cookie of ${issued.length} bytes`);

    // The protected page, with the verified identity. The session the
    // function issued is due for renewal by the time it reaches the gate.
    const resp = await page.goto(base + '/private/whoami');
    if (resp.status() !== 200 || new URL(page.url()).pathname !== '/private/whoami') {
      fail(`protected page: answered ${resp.status()} at ${page.url()}`);
    }
    const seen = await resp.json();
    if (JSON.stringify(seen.users) !== JSON.stringify([email])) fail(`protected page: the origin saw identities ${JSON.stringify(seen.users)}`);
    const setCookie = (await resp.allHeaders())['set-cookie'] ?? '';
    const after = await session();
    if (job.renew) {
      if (!setCookie.startsWith(cookieName + '=') || after === issued) fail(`protected page: the gate did not renew the session (Set-Cookie present: ${setCookie !== ''})`);
      if (seen.cookie !== after) fail('protected page: the origin did not receive the renewed cookie');
      ok('protected page: the verified identity reached the origin; the session was renewed at the edge');
    } else {
      if (setCookie !== '' || after !== issued) fail('protected page: a verify-only gate changed the session cookie');
      if (seen.cookie !== issued) fail('protected page: the origin did not receive the session cookie');
      ok('protected page: the verified identity reached the origin; the verify-only gate left the cookie alone');
    }

    // The origin accepts the cookie the edge issued.
    await page.goto(base + '/');
    await expectText(page, 'origin after the edge', [`Log out ${email}`], ['Login successful']);
    const old = await session();
    ok('the origin accepts the session as the edge left it');

    // Log out at the origin: the cookie is gone and the gate closes again.
    await submit(page, 'form#logout button');
    if (await page.locator('form#login').count() !== 1) fail('logout: no login form');
    if (await session() !== null) fail('logout: the browser still holds the session cookie');
    await expectLoginPage(await page.goto(base + '/private/whoami'), 'after logout');
    ok('logout: no cookie left, the gate redirects the protected page');

    // The cookie copied before the logout, put back. A domain without a
    // leading dot makes a host-only cookie, as __Host- requires.
    await context.addCookies([{ name: cookieName, value: old, domain: new URL(base).hostname, path: '/', secure: true, httpOnly: true, sameSite: 'Lax' }]);
    if (await session() !== old) fail('replay: the browser did not take the old cookie back');
    const replay = await page.goto(base + '/private/whoami');
    if (!job.refusal) fail('the job does not say why the old cookie must be refused');
    if (new URL(page.url()).pathname !== '/') {
      let seen = '';
      try { seen = JSON.stringify((await replay.json()).users); } catch { /* not the whoami page */ }
      fail(`replay: the old cookie still passes the gate after logout (HTTP ${replay.status()} at ${page.url()}, identity ${seen}), though ${job.refusal}`);
    }
    await expectLoginPage(replay, 'replay of the old cookie');
    if (await session() !== null) fail('replay: the gate did not clear the refused cookie');
    ok(`replay: the gate refuses the old cookie and clears it (${job.refusal})`);
  } finally {
    await context.close();
  }
}

const started = Date.now();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
console.log(`Chromium started in ${((Date.now() - started) / 1000).toFixed(1)} s`);
try {
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue;
    try {
      await flow(browser, JSON.parse(line));
      console.log('PASS');
    } catch (e) {
      console.log(`FAIL: ${String(e?.stack ?? e).replace(/\n/g, ' | ')}`);
    }
  }
} finally {
  await browser.close();
}
