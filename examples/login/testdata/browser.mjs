// Drives the login demo in headless Chromium through its real forms.
// Usage: node browser.mjs <url>
// Environment: PLAYWRIGHT_CORE (path of playwright-core/index.mjs),
// CHROMIUM (path of the browser), USER_DATA_DIR (a fresh directory).
import { pathToFileURL } from 'node:url';

const url = process.argv[2];
const { chromium } = await import(pathToFileURL(process.env.PLAYWRIGHT_CORE).href);

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
  console.log(`ok: ${step}`);
}

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

// launch starts Chromium on the profile in USER_DATA_DIR: launching it
// again after close is a browser restart, which keeps persistent
// cookies and drops browser-session ones.
async function launch() {
  const context = await chromium.launchPersistentContext(process.env.USER_DATA_DIR, {
    executablePath: process.env.CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(15000);
  return { context, page };
}

async function sessionCookie(context, step) {
  const mine = (await context.cookies()).filter((c) => url.includes(c.domain));
  if (mine.length !== 1) fail(`${step}: the browser holds ${mine.length} cookies: ${mine.map((c) => c.name).join(', ')}`);
  return mine[0];
}

async function login(page, email, remember) {
  await page.fill('#email', email);
  await page.fill('#password', 'correct');
  if (remember) await page.check('#remember');
  await submit(page, 'form#login button');
}

async function expectNoCookies(context, step) {
  const left = (await context.cookies()).filter((c) => url.includes(c.domain));
  if (left.length !== 0) fail(`${step}: the browser still holds cookies: ${left.map((c) => c.name).join(', ')}`);
  console.log(`ok: ${step}: no cookies left`);
}

const day = 24 * 3600;
let { context, page } = await launch();
try {
  await page.goto(url);
  if (await page.locator('form#login').count() !== 1) fail('first visit: no login form');
  if (await page.locator('form#login input[type=checkbox]#remember[name=remember]').count() !== 1) fail('first visit: no "remember me" checkbox');
  await expectText(page, 'first visit', [], ['Failed login attempts', 'Log out']);

  const email = 'ada+<b>@example.com';
  await page.fill('#email', email);
  await page.fill('#password', 'wrong');
  await submit(page, 'form#login button');
  await expectText(page, 'wrong password', ['Incorrect username or password', 'Failed login attempts: 1'], ['Login successful']);

  // Log in without "remember me": a browser-session cookie.
  await login(page, email, false);
  await expectText(page, 'correct password', ['Login successful', `Log out ${email}`],
    ['Failed login attempts', 'Incorrect username or password']);
  // The email is echoed as text, not markup.
  if (await page.locator('form#logout b').count() !== 0) fail('email was rendered as HTML');
  if ((await sessionCookie(context, 'not remembered')).expires !== -1) fail('not remembered: the session cookie is persistent');
  console.log('ok: not remembered: browser-session cookie');

  await page.reload({ waitUntil: 'load' });
  await expectText(page, 'reload', [`Log out ${email}`], ['Login successful']);

  await submit(page, 'form#logout button');
  if (await page.locator('form#login').count() !== 1) fail('after logout: no login form');
  await expectText(page, 'logout', [], ['Log out', 'Login successful', 'Failed login attempts']);
  await expectNoCookies(context, 'logout');

  // Log in with "remember me": the cookie persists for 30 days of
  // idleness (sealed to last 30 days plus the renewal interval), and
  // survives a browser restart.
  await login(page, email, true);
  await expectText(page, 'remembered login', ['Login successful', `Log out ${email}`]);
  const left = (await sessionCookie(context, 'remembered')).expires - Date.now() / 1000;
  if (left < 30 * day - 60 || left > 38 * day) fail(`remembered: the cookie lasts ${left} s, want 30 to 38 days`);
  console.log(`ok: remembered: cookie lasts ${Math.round(left / day)} days`);
  await context.close();
  ({ context, page } = await launch());
  await page.goto(url);
  await expectText(page, 'remembered, after a browser restart', [`Log out ${email}`], ['Login successful']);
  await submit(page, 'form#logout button');
  await expectNoCookies(context, 'remembered, logout');

  // Without "remember me", a browser restart ends the session.
  await login(page, email, false);
  await expectText(page, 'second login, not remembered', [`Log out ${email}`]);
  await context.close();
  ({ context, page } = await launch());
  await page.goto(url);
  if (await page.locator('form#login').count() !== 1) fail('not remembered, after a browser restart: no login form');
  await expectText(page, 'not remembered, after a browser restart', [], ['Log out']);
  await expectNoCookies(context, 'not remembered, after a browser restart');
} finally {
  await context.close();
}
