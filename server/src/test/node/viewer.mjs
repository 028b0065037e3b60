// The web chat viewer in a real browser: Debian's chromium, headless, driven by playwright-core.
// Asks a question, watches the answer stream in and the served-by badge, listens to what the
// page hands to speech synthesis, and keeps a screenshot. Prints one JSON object for the Java test.
// Usage: node viewer.mjs <base URL> <key> <screenshot.png> <system prompt>
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, key, screenshot, systemPrompt] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), 'snowcrash-chromium-'));
const out = {};
const requests = [];
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1200, height: 760 },
    // No sandbox: it needs user namespaces or a setuid helper, which neither root nor the
    // unprivileged CI account has here. The pages are our own, on loopback.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  // Every request the page makes: nothing may go anywhere but this server.
  context.on('request', (r) => requests.push(r.url()));
  // Record what the page hands to speech synthesis (headless chromium has no audio to hear).
  await context.addInitScript(() => {
    window.__spoken = [];
    if ('speechSynthesis' in window) {
      const speak = window.speechSynthesis.speak.bind(window.speechSynthesis);
      window.speechSynthesis.speak = (u) => { window.__spoken.push(u.text); try { speak(u); } catch (e) { /* no audio */ } };
    }
  });

  // 1. No key yet: the page asks for it.
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') { consoleErrors.push(m.text()); } });
  await page.goto(base);
  await page.waitForSelector('#key-dialog[open]');
  out.askedForKey = true;
  await page.fill('#key-input', key);
  await page.click('#key-save');
  await page.waitForSelector('#model option[value="demo"]', { state: 'attached' });
  // What a first visit opens on, before anyone chooses: a model that can answer, with its scene.
  out.initialModel = await page.inputValue('#model');
  out.options = await page.$$eval('#model option', (os) => os.map((o) => o.textContent));
  out.initialSystem = await page.inputValue('#system');
  await page.selectOption('#model', 'demo');
  out.keyInPage = (await page.content()).includes(key);

  // 2. Ask, with a system prompt and speech on; note each length the answer has while it streams.
  await page.check('#speak');
  await page.click('#system-box summary');
  await page.fill('#system', systemPrompt);
  await page.evaluate(() => {
    window.__lengths = [];
    new MutationObserver(() => {
      const text = document.querySelector('#answer .text');
      if (text) { window.__lengths.push(text.textContent.length); }
    }).observe(document.getElementById('chat'), { subtree: true, characterData: true, childList: true });
  });
  await page.fill('#prompt', 'What do you see?');
  await page.press('#prompt', 'Enter');
  await page.waitForSelector('#usage', { timeout: 120_000 });
  out.answer = await page.textContent('#answer .text');
  out.usage = await page.textContent('#usage');
  out.servedBy = await page.textContent('#served-by');
  out.lengths = await page.evaluate(() => window.__lengths);
  out.log = await page.$$eval('#log li', (items) => items.map((li) => li.textContent));
  out.spoken = await page.evaluate(() => window.__spoken);
  out.sentences = await page.getAttribute('#answer', 'data-sentences');
  out.modelState = await page.textContent('#model-state');
  await page.screenshot({ path: screenshot });
  out.consoleErrors = consoleErrors;

  // 3. The key from the URL fragment: no dialog, and the fragment leaves the address bar.
  const second = await context.newPage();
  await second.goto(base + '#key=' + encodeURIComponent(key));
  await second.waitForSelector('#model option[value="demo"]', { state: 'attached' });
  out.fragmentDialogOpen = await second.evaluate(() => document.getElementById('key-dialog').open);
  out.fragmentLeft = await second.evaluate(() => location.hash);
  out.requests = requests;
} finally {
  if (context) { await context.close(); }
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
