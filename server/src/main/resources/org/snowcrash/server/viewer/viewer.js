// The Snowcrash chat viewer: plain JavaScript, no build step, nothing fetched from anywhere but
// this server. The API key never appears in the page: it is asked for (or taken from the URL
// fragment, #key=..., which browsers never send to a server), kept in this tab's sessionStorage,
// and sent as a bearer header on each request.
'use strict';

const $ = (id) => document.getElementById(id);
const KEY_ITEM = 'snowcrash.key';
// pending: the calls of the last answer still waiting for their results; unanswered: what was sent since it.
const state = { messages: [], abort: null, models: [], sentences: 0, pending: [], unanswered: [] };

function takeKeyFromFragment() {
  const m = /(?:^#|&)key=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(KEY_ITEM, decodeURIComponent(m[1]));
    // Out of the address bar and the history, so it is not shown or shared by accident.
    history.replaceState(null, '', location.pathname + location.search);
  }
}

function key() { return sessionStorage.getItem(KEY_ITEM); }

function askForKey(message) {
  const dialog = $('key-dialog');
  if (message) { status(message); }
  if (!dialog.open) { dialog.showModal(); }
  $('key-input').focus();
}

function status(text) { $('status').textContent = text || ''; }

async function api(path, options = {}) {
  const headers = Object.assign({ 'Authorization': 'Bearer ' + key() }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (response.status === 401) {
    sessionStorage.removeItem(KEY_ITEM);
    askForKey('The server refused the key; enter it again.');
    throw new Error('unauthorized');
  }
  return response;
}

// Server-sent events over fetch (EventSource cannot send an Authorization header): calls
// onEvent(name, data) for each event; name is 'message' for unnamed ones, as in browsers.
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let name = 'message';
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) { return; }
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, cut).replace(/\r$/, '');
      buffer = buffer.slice(cut + 1);
      if (line === '') {
        if (data.length) { onEvent(name, data.join('\n')); }
        name = 'message';
        data = [];
      } else if (line.startsWith('event:')) {
        name = line.slice(6).trim();
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).replace(/^ /, ''));
      }
    }
  }
}

async function loadModels() {
  const response = await api('/v1/models');
  const body = await response.json();
  state.models = body.data;
  const select = $('model');
  const first = !select.value;
  // On first load: the model in ?model=, else the first one that can answer (its file is there).
  const chosen = select.value || new URLSearchParams(location.search).get('model')
      || (body.data.find((m) => !m.snowcrash.file_missing) || {}).id;
  select.replaceChildren(...body.data.map((m) => {
    const option = document.createElement('option');
    option.value = m.id;
    option.textContent = m.id + ' (' + (m.snowcrash.file_missing ? 'file missing' : m.snowcrash.state) + ')';
    option.title = m.snowcrash.description;
    return option;
  }));
  if (chosen && body.data.some((m) => m.id === chosen)) { select.value = chosen; }
  if (first) { suggestSystem(); }
  showModelState();
}

// A model with a suggested system prompt (the demo's scene) gets it while the box holds nothing
// the person wrote: empty, or the previous model's suggestion.
let suggested = '';
function suggestSystem() {
  const m = state.models.find((x) => x.id === $('model').value);
  const box = $('system');
  if (box.value.trim() === '' || box.value === suggested) {
    suggested = (m && m.snowcrash.suggested_system) || '';
    box.value = suggested;
  }
}

function showModelState() {
  const m = state.models.find((x) => x.id === $('model').value);
  const badge = $('model-state');
  badge.textContent = m ? m.snowcrash.state + (m.snowcrash.backend ? ' on ' + m.snowcrash.backend : '') : '-';
  badge.className = 'badge ' + (m ? m.snowcrash.state : '');
}

// The server's lifecycle stream keeps the model list's states current.
async function followEvents() {
  for (;;) {
    try {
      const response = await api('/v1/events', { headers: { 'Accept': 'text/event-stream' } });
      await readEvents(response, (name) => {
        if (name === 'lifecycle') { loadModels().catch(() => {}); }
      });
    } catch (e) {
      if (e.message === 'unauthorized') { return; }
    }
    await new Promise((r) => setTimeout(r, 2000)); // the server went away: try again shortly
  }
}

function log(event) {
  const li = document.createElement('li');
  li.className = event.type;
  li.textContent = event.model + ': ' + event.type.replace('_', '-') + ' ' + event.backend
      + (event.message && !['starting', 'ready', 'served_by', 'stopped'].includes(event.type) ? ': ' + event.message : '')
      + (event.took_ms !== undefined ? ' (' + event.took_ms + ' ms)' : '');
  $('log').append(li);
  li.scrollIntoView({ block: 'nearest' });
}

function bubble(kind, text) {
  const div = document.createElement('div');
  div.className = 'msg ' + kind;
  div.textContent = text;
  $('chat').append(div);
  div.scrollIntoView({ block: 'end' });
  return div;
}

// The system prompt, when one is written, goes first with every request (never into the history).
function withSystemPrompt(messages) {
  const system = $('system').value.trim();
  return system ? [{ role: 'system', content: system }].concat(messages) : messages;
}

function speak(text) {
  if (!$('speak').checked || !('speechSynthesis' in window)) { return; }
  speechSynthesis.speak(new SpeechSynthesisUtterance(text));
}

// The tools written in the Tools box (an OpenAI tools array), or null for none; throws on bad JSON.
function tools() {
  const text = $('tools').value.trim();
  if (!text) { return null; }
  const parsed = JSON.parse(text);
  if (!Array.isArray(parsed)) { throw new Error('the tools must be a JSON array'); }
  return parsed.length ? parsed : null;
}

// A tool call's line in the answer: "tool: move {...}", its arguments as they stream in.
function callLine(answer, call) {
  if (!call.line) {
    call.line = document.createElement('span');
    call.line.className = 'call';
    answer.insertBefore(call.line, answer.querySelector('.meta'));
  }
  call.line.textContent = 'tool: ' + call.name + ' ' + call.arguments;
}

// The prompt box says what it is for: the next question, or the result of the next pending call.
function showPending() {
  const call = state.pending[0];
  $('prompt').placeholder = call
    ? 'Result of ' + call.name + ' (' + call.id + '), sent back as a tool message'
    : 'Ask something (Enter sends, Shift+Enter breaks the line)';
}

// What the user typed: a question, or the result of the call the model is waiting for. Once
// every call of an answer has its result, the model is asked to go on.
function submit(text) {
  if (state.pending.length) {
    const call = state.pending.shift();
    state.messages.push({ role: 'tool', tool_call_id: call.id, content: text });
    state.unanswered.push(call);
    bubble('tool', 'result: ' + text);
    showPending();
    if (!state.pending.length) { complete(); }
    return;
  }
  state.messages.push({ role: 'user', content: text });
  state.unanswered.push(null);
  bubble('user', text);
  complete();
}

async function complete() {
  const model = $('model').value;
  let offered;
  try {
    offered = tools();
  } catch (e) {
    status('Tools: ' + e.message);
    undo();
    return;
  }
  const answer = bubble('assistant', '');
  answer.id = 'answer';
  document.querySelectorAll('.msg.assistant').forEach((m) => { if (m !== answer) { m.removeAttribute('id'); } });
  const reasoning = document.createElement('span');
  reasoning.className = 'reasoning';
  const text = document.createElement('span');
  text.className = 'text';
  answer.append(reasoning, text);
  state.abort = new AbortController();
  $('send').disabled = true;
  $('stop').disabled = false;
  status('asking ' + model + '...');
  let usage = null;
  let failed = null;
  const calls = [];
  try {
    const body = {
      model, messages: withSystemPrompt(state.messages), stream: true,
      stream_options: { include_usage: true },
      snowcrash: { events: true, sentences: true },
    };
    if (offered) {
      body.tools = offered;
      body.tool_choice = $('tool-choice').value;
    }
    const response = await api('/v1/chat/completions', {
      method: 'POST',
      signal: state.abort.signal,
      headers: { 'Content-Type': 'application/json', 'Accept': 'text/event-stream' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      const error = await response.json().catch(() => ({}));
      const retry = response.headers.get('Retry-After');
      throw new Error((error.error ? error.error.message : response.statusText) + (retry ? ' (retry after ' + retry + ' s)' : ''));
    }
    await readEvents(response, (name, data) => {
      if (name === 'snowcrash.lifecycle') {
        log(JSON.parse(data));
      } else if (name === 'snowcrash.served_by') {
        $('served-by').textContent = 'served by: ' + JSON.parse(data).backend;
        status('answering on ' + JSON.parse(data).backend);
      } else if (name === 'snowcrash.sentence') {
        const s = JSON.parse(data);
        state.sentences++;
        answer.dataset.sentences = String(s.index + 1);
        speak(s.text);
      } else if (data !== '[DONE]') {
        const chunk = JSON.parse(data);
        if (chunk.error) { failed = chunk.error.message; return; }
        if (chunk.usage) { usage = chunk.usage; }
        const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
        if (!delta) { return; }
        if (delta.reasoning_content) { reasoning.textContent += delta.reasoning_content; }
        if (delta.content) { text.textContent += delta.content; }
        // A call's first piece names it; later pieces add to its arguments.
        for (const d of delta.tool_calls || []) {
          const call = calls[d.index] || (calls[d.index] = { id: '', name: '', arguments: '' });
          if (d.id) { call.id = d.id; }
          if (d.function && d.function.name) { call.name = d.function.name; }
          if (d.function && d.function.arguments) { call.arguments += d.function.arguments; }
          callLine(answer, call);
        }
        answer.scrollIntoView({ block: 'end' });
      }
    });
    if (failed) { throw new Error(failed); }
    const message = { role: 'assistant', content: text.textContent || (calls.length ? null : '') };
    if (calls.length) {
      message.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
    }
    state.messages.push(message);
    state.unanswered = [];
    state.pending = calls.slice();
    showPending();
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.id = 'usage';
    document.querySelectorAll('#usage').forEach((u) => { if (u !== meta) { u.removeAttribute('id'); } });
    meta.textContent = usage ? usage.prompt_tokens + ' prompt + ' + usage.completion_tokens + ' completion tokens' : '';
    answer.append(meta);
    status(calls.length ? 'the model called ' + calls.map((c) => c.name).join(', ') + ': type the result' : '');
  } catch (e) {
    undo();
    if (e.name === 'AbortError') {
      status('stopped');
    } else if (e.message !== 'unauthorized') {
      answer.classList.add('error');
      text.textContent += (text.textContent ? '\n' : '') + 'error: ' + e.message;
      status('');
    }
  } finally {
    state.abort = null;
    $('send').disabled = false;
    $('stop').disabled = true;
    loadModels().catch(() => {});
  }
}

// A failed request takes back what was sent since the last answer, so the conversation stays as the
// server last saw it: the question goes, and calls whose results were sent wait for them again.
function undo() {
  state.messages.splice(state.messages.length - state.unanswered.length);
  state.pending = state.unanswered.filter((c) => c).concat(state.pending);
  state.unanswered = [];
  showPending();
}

function start() {
  takeKeyFromFragment();
  $('key-form').addEventListener('submit', () => {
    sessionStorage.setItem(KEY_ITEM, $('key-input').value.trim());
    $('key-input').value = '';
    status('');
    loadModels().then(followEvents).catch(() => {});
  });
  $('change-key').addEventListener('click', () => askForKey());
  $('model').addEventListener('change', () => { suggestSystem(); showModelState(); });
  $('new-chat').addEventListener('click', () => {
    state.messages = [];
    state.pending = [];
    state.unanswered = [];
    showPending();
    $('chat').replaceChildren();
  });
  $('stop').addEventListener('click', () => { if (state.abort) { state.abort.abort(); } });
  $('ask').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = $('prompt').value.trim();
    if (q && !state.abort) {
      $('prompt').value = '';
      submit(q);
    }
  });
  $('prompt').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      $('ask').requestSubmit();
    }
  });
  if (!key()) {
    askForKey();
  } else {
    loadModels().then(followEvents).catch(() => {});
  }
}

start();
