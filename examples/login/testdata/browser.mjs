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

const launch = {
  executablePath: process.env.CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};
const context = await chromium.launchPersistentContext(process.env.USER_DATA_DIR, launch);

async function login(page, email, step) {
  await page.fill('#email', email);
  await page.fill('#password', 'correct');
  await submit(page, 'form#login button');
  await expectText(page, step, [`Log out ${email}`, 'Log out everywhere']);
}
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(15000);
  await page.goto(url);
  if (await page.locator('form#login').count() !== 1) fail('first visit: no login form');
  await expectText(page, 'first visit', [], ['Failed login attempts', 'Log out']);

  const email = 'ada+<b>@example.com';
  await page.fill('#email', email);
  await page.fill('#password', 'wrong');
  await submit(page, 'form#login button');
  await expectText(page, 'wrong password', ['Incorrect username or password', 'Failed login attempts: 1'], ['Login successful']);

  await page.fill('#email', email);
  await page.fill('#password', 'correct');
  await submit(page, 'form#login button');
  await expectText(page, 'correct password', ['Login successful', `Log out ${email}`, 'Log out everywhere'],
    ['Failed login attempts', 'Incorrect username or password']);
  // The email is echoed as text, not markup.
  if (await page.locator('form#logout b').count() !== 0) fail('email was rendered as HTML');

  await page.reload({ waitUntil: 'load' });
  await expectText(page, 'reload', [`Log out ${email}`], ['Login successful']);

  await submit(page, 'form#logout button');
  if (await page.locator('form#login').count() !== 1) fail('after logout: no login form');
  await expectText(page, 'logout', [], ['Log out', 'Login successful', 'Failed login attempts']);
  const left = (await context.cookies()).filter((c) => url.includes(c.domain));
  if (left.length !== 0) fail(`after logout the browser still holds cookies: ${left.map((c) => c.name).join(', ')}`);
  console.log('ok: no cookies left');

  // Log out everywhere: a second browser, with its own cookies, loses
  // its session when the first one presses the button.
  const browser2 = await chromium.launch(launch);
  try {
    const other = await (await browser2.newContext()).newPage();
    other.setDefaultTimeout(15000);
    await other.goto(url);
    await login(other, email, 'second browser logged in');
    await login(page, email, 'first browser logged in again');
    await submit(page, 'form#logout-everywhere button');
    if (await page.locator('form#login').count() !== 1) fail('after log out everywhere: no login form');
    await expectText(page, 'log out everywhere', [], ['Log out']);
    await other.reload({ waitUntil: 'load' });
    if (await other.locator('form#login').count() !== 1) fail('second browser after log out everywhere: no login form');
    await expectText(other, 'second browser lost its session', [], ['Log out']);
    const kept = (await other.context().cookies()).filter((c) => url.includes(c.domain));
    if (kept.length !== 0) fail(`the second browser still holds cookies: ${kept.map((c) => c.name).join(', ')}`);
    console.log('ok: second browser holds no cookies');
  } finally {
    await browser2.close();
  }
} finally {
  await context.close();
}
