// The Snowcrash chat viewer: plain JavaScript, no build step, nothing fetched from anywhere but
// this server. The API key never appears in the page: it is asked for (or taken from the URL
// fragment, #key=..., which browsers never send to a server), kept in this tab's sessionStorage,
// and sent as a bearer header on each request.
'use strict';

const $ = (id) => document.getElementById(id);
const KEY_ITEM = 'snowcrash.key';
const state = { messages: [], abort: null, models: [], sentences: 0 };

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
  const chosen = select.value || new URLSearchParams(location.search).get('model');
  select.replaceChildren(...body.data.map((m) => {
    const option = document.createElement('option');
    option.value = m.id;
    option.textContent = m.id + ' (' + m.snowcrash.state + ')';
    option.title = m.snowcrash.description;
    return option;
  }));
  if (chosen && body.data.some((m) => m.id === chosen)) { select.value = chosen; }
  showModelState();
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

async function send(question) {
  const model = $('model').value;
  state.messages.push({ role: 'user', content: question });
  bubble('user', question);
  const answer = bubble('assistant', '');
  answer.id = 'answer';
  document.querySelectorAll('.msg.assistant').forEach((m) => { if (m !== answer) { m.removeAttribute('id'); } });
  const text = document.createElement('span');
  text.className = 'text';
  answer.append(text);
  state.abort = new AbortController();
  $('send').disabled = true;
  $('stop').disabled = false;
  status('asking ' + model + '...');
  let usage = null;
  let failed = null;
  try {
    const response = await api('/v1/chat/completions', {
      method: 'POST',
      signal: state.abort.signal,
      headers: { 'Content-Type': 'application/json', 'Accept': 'text/event-stream' },
      body: JSON.stringify({
        model, messages: withSystemPrompt(state.messages), stream: true,
        stream_options: { include_usage: true },
        snowcrash: { events: true, sentences: true },
      }),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      const retry = response.headers.get('Retry-After');
      throw new Error((body.error ? body.error.message : response.statusText) + (retry ? ' (retry after ' + retry + ' s)' : ''));
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
        if (delta && delta.content) {
          text.textContent += delta.content;
          answer.scrollIntoView({ block: 'end' });
        }
      }
    });
    if (failed) { throw new Error(failed); }
    state.messages.push({ role: 'assistant', content: text.textContent });
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.id = 'usage';
    document.querySelectorAll('#usage').forEach((u) => { if (u !== meta) { u.removeAttribute('id'); } });
    meta.textContent = usage ? usage.prompt_tokens + ' prompt + ' + usage.completion_tokens + ' completion tokens' : '';
    answer.append(meta);
    status('');
  } catch (e) {
    state.messages.pop(); // the question goes back, so the conversation stays as the server last saw it
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

function start() {
  takeKeyFromFragment();
  $('key-form').addEventListener('submit', () => {
    sessionStorage.setItem(KEY_ITEM, $('key-input').value.trim());
    $('key-input').value = '';
    status('');
    loadModels().then(followEvents).catch(() => {});
  });
  $('change-key').addEventListener('click', () => askForKey());
  $('model').addEventListener('change', showModelState);
  $('new-chat').addEventListener('click', () => {
    state.messages = [];
    $('chat').replaceChildren();
  });
  $('stop').addEventListener('click', () => { if (state.abort) { state.abort.abort(); } });
  $('ask').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = $('prompt').value.trim();
    if (q && !state.abort) {
      $('prompt').value = '';
      send(q);
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
