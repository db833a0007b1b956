// Drives the gateway's embedded GraphiQL in a real browser (Debian's chromium through
// playwright-core): a devices query in one tab, the accessCodeStatusChanged subscription in a
// second, a createAccessCode mutation back in the first, then the sandbox's clock moves and the
// subscription tab must show SET. Every request the pages make must go to the gateway itself.
// Prints one JSON summary line; exits 1 with the reason on failure.
//
// usage: node graphiql.mjs <gateway-url> <sandbox-url> <screenshot.png>
import { chromium } from 'playwright-core';

const [gateway, sandbox, screenshot] = process.argv.slice(2);
if (!gateway || !sandbox || !screenshot) {
  console.error('usage: node graphiql.mjs <gateway-url> <sandbox-url> <screenshot.png>');
  process.exit(2);
}
const origin = new URL(gateway).host;
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TIMEOUT = 10_000;

const DEVICES = '{ devices { nodes { id displayName } } }';
const SUBSCRIPTION = `subscription {
  accessCodeStatusChanged(deviceId: "august_device_1") { eventType accessCodeId status }
}`;
const CREATE = `mutation {
  createAccessCode(input: { deviceId: "august_device_1", name: "From the browser" }) {
    accessCode { id name status }
  }
}`;

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const requests = [];
const foreign = [];
const pageErrors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.on('request', (request) => {
    requests.push(request.url());
    if (!sameOrigin(request.url())) foreign.push(request.url());
  });
  const devicesTab = await open(context, `${gateway}/`);

  const devices = await run(devicesTab, DEVICES, (text) => text.includes('Front Door'));

  const liveTab = await open(context, `${gateway}/graphql`);
  const subscribed = new Promise((resolve) => {
    liveTab.on('websocket', (ws) => {
      ws.on('framesent', (frame) => {
        if (String(frame.payload).includes('"subscribe"')) resolve();
      });
    });
  });
  await run(liveTab, SUBSCRIPTION, () => true, { waitForResult: false });
  // GraphiQL shows nothing until the first event: wait for the subscribe message on the socket,
  // then a moment for the gateway to register it with its live hub.
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('GraphiQL sent no subscribe message')), TIMEOUT);
  });
  await Promise.race([subscribed, timeout]).finally(() => clearTimeout(timer));
  await sleep(300);

  const created = await run(devicesTab, CREATE, (text) => /"status":\s*"SETTING"/.test(text));
  const id = JSON.parse(created).data.createAccessCode.accessCode.id;
  await waitForResponse(liveTab, (text) => text.includes(id) && text.includes('access_code.created'));

  // The sandbox programs the code after 2 s of its (manual) clock.
  const advanced = await fetch(`${sandbox}/_sandbox/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seconds: 2 }),
  });
  if (!advanced.ok) throw new Error(`sandbox advance answered ${advanced.status}`);
  const set = await waitForResponse(liveTab, (text) => text.includes(id) && /"status":\s*"SET"/.test(text));
  await liveTab.screenshot({ path: screenshot, fullPage: true });

  const summary = {
    devices: JSON.parse(devices).data.devices.nodes.map((n) => n.displayName),
    created: id,
    set: JSON.parse(set).data.accessCodeStatusChanged,
    requests,
    foreign,
    pageErrors,
  };
  console.log(JSON.stringify(summary));
  if (foreign.length) throw new Error(`requests left the gateway's origin: ${foreign.join(', ')}`);
} catch (err) {
  console.error(`graphiql: ${err?.stack ?? err}\nrequests: ${JSON.stringify(requests)}\npage errors: ${JSON.stringify(pageErrors)}`);
  await browser.close();
  process.exit(1);
}
await browser.close();
process.exit(0);

function sameOrigin(url) {
  const u = new URL(url);
  return ['http:', 'ws:'].includes(u.protocol) && u.host === origin;
}

async function sleep(ms) {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** A tab with GraphiQL loaded and its query editor ready. */
async function open(context, url) {
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  page.on('websocket', (ws) => {
    requests.push(ws.url());
    if (!sameOrigin(ws.url())) foreign.push(ws.url());
  });
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(url);
  await page.waitForSelector('.graphiql-query-editor .CodeMirror');
  return page;
}

/** Puts `query` in the editor, runs it, and (unless told otherwise) waits for a result that `ok` accepts. */
async function run(page, query, ok, { waitForResult = true } = {}) {
  await page.evaluate((text) => {
    document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(text);
  }, query);
  // GraphiQL parses the editor's text after a change; its fetcher picks the websocket only when
  // that parse says subscription, so run only once it has caught up with the new text.
  const kind = query.trimStart().match(/^(query|mutation|subscription)/)?.[1] ?? 'query';
  await page.waitForFunction((kind) => {
    const ast = document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.documentAST;
    return ast?.definitions.some((d) => d.kind === 'OperationDefinition' && d.operation === kind);
  }, kind);
  await page.click('.graphiql-execute-button');
  if (!waitForResult) return null;
  return waitForResponse(page, ok);
}

/** The result pane's text once `ok` accepts it. */
async function waitForResponse(page, ok) {
  const deadline = Date.now() + TIMEOUT;
  let text = '';
  while (Date.now() < deadline) {
    text = await page.evaluate(() => {
      const pane = document.querySelector('.graphiql-response .CodeMirror');
      return pane ? pane.CodeMirror.getValue() : '';
    });
    if (text && ok(text)) return text;
    await sleep(50);
  }
  throw new Error(`no acceptable result within ${TIMEOUT} ms; the pane shows: ${text}`);
}
