// The viewer with tools in a real browser (Debian's chromium, headless, via playwright-core): the
// tools are written in the Tools box, the model's call shows as a "tool: move {...}" line, the
// result typed back shows as "result: ..." and goes to the server as a tool message, and the model
// answers in text. Prints one JSON object for the Java test; keeps a screenshot.
// Usage: node viewer-tools.mjs <base URL> <key> <screenshot.png>
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, key, screenshot] = process.argv.slice(2);
const tools = [
  { type: 'function', function: { name: 'move', description: 'Drive straight.', parameters: { type: 'object',
    properties: { direction: { type: 'string', enum: ['forward', 'backward'] }, meters: { type: 'number' } },
    required: ['direction', 'meters'] } } },
  { type: 'function', function: { name: 'turn', description: 'Turn in place.', parameters: { type: 'object',
    properties: { direction: { type: 'string', enum: ['left', 'right'] }, degrees: { type: 'number' } },
    required: ['direction', 'degrees'] } } },
];
const profile = mkdtempSync(join(tmpdir(), 'snowcrash-chromium-'));
const out = { bodies: [] };
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1200, height: 800 },
    // No sandbox: it needs user namespaces or a setuid helper, which neither root nor the
    // unprivileged CI account has here. The pages are our own, on loopback.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') { consoleErrors.push(m.text()); } });
  // What the page sends: the conversation the server sees.
  page.on('request', (r) => {
    if (r.url().endsWith('/v1/chat/completions')) { out.bodies.push(JSON.parse(r.postData())); }
  });
  await page.goto(base + '#key=' + encodeURIComponent(key));
  await page.waitForSelector('#model option[value="demo"]', { state: 'attached' });
  await page.selectOption('#model', 'demo');

  // 1. Tools offered, a call required: the answer is a call, shown as a tool line.
  await page.click('#tools-box summary');
  await page.fill('#tools', JSON.stringify(tools, null, 1));
  await page.selectOption('#tool-choice', 'required');
  await page.fill('#prompt', 'Drive forward 3 meters.');
  await page.press('#prompt', 'Enter');
  await page.waitForSelector('#answer #usage', { timeout: 180_000 });
  out.callLines = await page.$$eval('#answer .call', (lines) => lines.map((l) => l.textContent));
  out.firstError = await page.evaluate(() => document.querySelector('#answer').classList.contains('error'));
  out.firstText = await page.textContent('#answer .text');
  out.placeholder = await page.getAttribute('#prompt', 'placeholder');

  // 2. The result goes back (one per call); with tool_choice none the model answers in text.
  await page.selectOption('#tool-choice', 'none');
  const calls = out.callLines.length;
  for (let i = 0; i < calls; i++) {
    await page.fill('#prompt', 'ok');
    await page.press('#prompt', 'Enter');
  }
  await page.waitForFunction(() => {
    const a = document.querySelector('#answer');
    return a && !a.querySelector('.call') && a.querySelector('#usage');
  }, null, { timeout: 180_000 });
  out.results = await page.$$eval('.msg.tool', (m) => m.map((x) => x.textContent));
  out.secondError = await page.evaluate(() => document.querySelector('#answer').classList.contains('error'));
  out.secondText = await page.textContent('#answer .text');
  out.usage = await page.textContent('#answer #usage');
  out.placeholderAfter = await page.getAttribute('#prompt', 'placeholder');
  await page.screenshot({ path: screenshot });
  out.consoleErrors = consoleErrors;
} finally {
  if (context) { await context.close(); }
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
