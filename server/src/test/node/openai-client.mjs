// The official openai package against snowcrash serve: blocking, streaming with include_usage,
// and the errors, each as the package reports it. Prints one JSON object for the Java test.
// Usage: node openai-client.mjs <baseURL> <key>
import OpenAI from 'openai';

const [baseURL, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 120_000 });
const messages = [
  { role: 'system', content: 'You are the voice of a small robot.' },
  { role: 'user', content: 'What do you see?' },
];
const out = {};

const blocking = await client.chat.completions.create({ model: 'demo', messages, max_tokens: 8, temperature: 0 });
out.blocking = {
  text: blocking.choices[0].message.content,
  finish: blocking.choices[0].finish_reason,
  usage: blocking.usage,
  fingerprint: blocking.system_fingerprint,
};

const stream = await client.chat.completions.create({
  model: 'demo', messages, max_tokens: 8, temperature: 0, stream: true, stream_options: { include_usage: true },
});
let text = '';
let chunks = 0;
let usage = null;
let finish = null;
for await (const chunk of stream) {
  chunks++;
  if (chunk.usage) { usage = chunk.usage; }
  const choice = chunk.choices[0];
  if (choice) {
    text += choice.delta.content ?? '';
    finish = choice.finish_reason ?? finish;
  }
}
out.streaming = { text, chunks, usage, finish };

async function failure(call) {
  try {
    await call();
    return { thrown: false };
  } catch (e) {
    return { thrown: true, class: e.constructor.name, status: e.status, code: e.code ?? null, type: e.type ?? null };
  }
}
out.unknownModel = await failure(() => client.chat.completions.create({ model: 'no-such-model', messages }));
out.unknownModelStreaming = await failure(async () => {
  const s = await client.chat.completions.create({ model: 'no-such-model', messages, stream: true });
  for await (const c of s) { void c; }
});
out.wrongKey = await failure(() => new OpenAI({ baseURL, apiKey: 'wrong-key-0123456789', maxRetries: 0 })
  .chat.completions.create({ model: 'demo', messages }));
out.overflow = await failure(() => client.chat.completions.create({
  model: 'demo', messages: [{ role: 'user', content: 'word '.repeat(700) }], max_tokens: 4,
}));
const models = await client.models.list();
out.models = models.data.map((m) => m.id);

console.log(JSON.stringify(out));
