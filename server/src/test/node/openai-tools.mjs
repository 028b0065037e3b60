// The official openai package against snowcrash serve with tools and structured output. Every
// call's arguments and every structured answer is validated with ajv against its JSON Schema.
// Prints one JSON object for the Java test (which asserts on it); exits non-zero on a thrown error.
// Usage: node openai-tools.mjs <baseURL> <key> <model> <auto: "true" to ask the model to choose>
import OpenAI from 'openai';
import Ajv from 'ajv';

const [baseURL, apiKey, model, auto] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 600_000 });
const ajv = new Ajv({ strict: false, allErrors: true });

// The demo model's two tools, as its training data writes them.
const move = {
  type: 'function',
  function: {
    name: 'move', description: 'Drive straight.',
    parameters: {
      type: 'object', additionalProperties: false,
      properties: { direction: { type: 'string', enum: ['forward', 'backward'] }, meters: { type: 'number' } },
      required: ['direction', 'meters'],
    },
  },
};
const turn = {
  type: 'function',
  function: {
    name: 'turn', description: 'Turn in place.',
    parameters: {
      type: 'object', additionalProperties: false,
      properties: { direction: { type: 'string', enum: ['left', 'right'] }, degrees: { type: 'number' } },
      required: ['direction', 'degrees'],
    },
  },
};
const tools = [move, turn];
const validators = Object.fromEntries(tools.map((t) => [t.function.name, ajv.compile(t.function.parameters)]));
const ask = (content) => [
  { role: 'system', content: 'You are Snowcrash, a small robot.' },
  { role: 'user', content },
];
const out = {};

/** What the Java test checks of each call: its name, id, and whether ajv accepts its arguments. */
function checkCall(call) {
  let args = null;
  let valid = false;
  let errors = null;
  try {
    args = JSON.parse(call.function.arguments);
    const validate = validators[call.function.name];
    valid = validate ? validate(args) : false;
    errors = validate ? validate.errors : 'no such tool';
  } catch (e) {
    errors = 'not JSON: ' + e.message;
  }
  return { id: call.id, type: call.type, name: call.function.name, arguments: call.function.arguments, args, valid, errors };
}

// 1. Blocking, tool_choice required: whatever the weights, the answer is a call valid against its schema.
const required = await client.chat.completions.create({
  model, messages: ask('Drive forward 3 meters.'), tools, tool_choice: 'required', max_tokens: 256, temperature: 0,
});
out.required = {
  finish: required.choices[0].finish_reason,
  fingerprint: required.system_fingerprint,
  content: required.choices[0].message.content,
  calls: (required.choices[0].message.tool_calls ?? []).map(checkCall),
};

// 2. Blocking, a named tool: the call is to that tool.
const named = await client.chat.completions.create({
  model, messages: ask('Drive forward 3 meters.'), tools, max_tokens: 256, temperature: 0,
  tool_choice: { type: 'function', function: { name: 'turn' } },
});
out.named = { finish: named.choices[0].finish_reason, calls: (named.choices[0].message.tool_calls ?? []).map(checkCall) };

// 3. Streaming, tool_choice required: raw chunks (id, type and name in a call's first piece only),
// and the package's own stream helper assembling the same call.
const stream = await client.chat.completions.create({
  model, messages: ask('Turn left 90 degrees.'), tools, tool_choice: 'required', max_tokens: 256, temperature: 0,
  stream: true, stream_options: { include_usage: true },
});
const pieces = [];
const assembled = [];
let finish = null;
let usage = null;
for await (const chunk of stream) {
  if (chunk.usage) { usage = chunk.usage; }
  const choice = chunk.choices[0];
  if (!choice) { continue; }
  finish = choice.finish_reason ?? finish;
  for (const d of choice.delta.tool_calls ?? []) {
    pieces.push({ index: d.index, id: d.id ?? null, type: d.type ?? null, name: d.function?.name ?? null,
      arguments: d.function?.arguments ?? null });
    const call = assembled[d.index] ??= { id: null, type: null, function: { name: null, arguments: '' } };
    if (d.id) { call.id = d.id; }
    if (d.type) { call.type = d.type; }
    if (d.function?.name) { call.function.name = d.function.name; }
    call.function.arguments += d.function?.arguments ?? '';
  }
}
out.streaming = { finish, usage, pieces, calls: assembled.map(checkCall) };

const helper = client.chat.completions.stream({
  model, messages: ask('Turn left 90 degrees.'), tools, tool_choice: 'required', max_tokens: 256, temperature: 0,
});
const final = await helper.finalChatCompletion();
out.helper = { finish: final.choices[0].finish_reason, calls: (final.choices[0].message.tool_calls ?? []).map(checkCall) };

// 4. The call's result goes back as a tool message; the model answers in text (tool_choice none).
const call = required.choices[0].message.tool_calls[0];
const followUp = await client.chat.completions.create({
  model, tools, tool_choice: 'none', max_tokens: 16, temperature: 0,
  messages: [...ask('Drive forward 3 meters.'), required.choices[0].message,
    { role: 'tool', tool_call_id: call.id, content: '{"ok":true}' }],
});
out.followUp = {
  finish: followUp.choices[0].finish_reason,
  content: followUp.choices[0].message.content,
  calls: followUp.choices[0].message.tool_calls ?? [],
};

// 5. Structured output: json_schema (blocking and streaming) and json_object.
const answerSchema = {
  type: 'object', additionalProperties: false,
  properties: { cups: { type: 'integer', minimum: 0, maximum: 9 }, person: { type: 'boolean' } },
  required: ['cups', 'person'],
};
const validateAnswer = ajv.compile(answerSchema);
const format = { type: 'json_schema', json_schema: { name: 'scene', schema: answerSchema, strict: true } };
function checkJson(text, validate) {
  try {
    const value = JSON.parse(text);
    return { text, valid: validate(value), errors: validate.errors };
  } catch (e) {
    return { text, valid: false, errors: 'not JSON: ' + e.message };
  }
}
const structured = await client.chat.completions.create({
  model, messages: ask('How many cups do you see, and is there a person?'), response_format: format, max_tokens: 256,
  temperature: 0,
});
out.jsonSchema = { finish: structured.choices[0].finish_reason, ...checkJson(structured.choices[0].message.content, validateAnswer) };
const structuredStream = await client.chat.completions.create({
  model, messages: ask('How many cups do you see, and is there a person?'), response_format: format, max_tokens: 256,
  temperature: 0, stream: true,
});
let structuredText = '';
let structuredFinish = null;
for await (const chunk of structuredStream) {
  const choice = chunk.choices[0];
  if (choice) {
    structuredText += choice.delta.content ?? '';
    structuredFinish = choice.finish_reason ?? structuredFinish;
  }
}
out.jsonSchemaStreaming = { finish: structuredFinish, ...checkJson(structuredText, validateAnswer) };
const anyObject = ajv.compile({ type: 'object' });
const jsonObject = await client.chat.completions.create({
  model, messages: ask('Answer in JSON: what do you see?'), response_format: { type: 'json_object' }, max_tokens: 256,
  temperature: 0,
});
out.jsonObject = { finish: jsonObject.choices[0].finish_reason, ...checkJson(jsonObject.choices[0].message.content, anyObject) };

// 6. The model chooses (tool_choice auto): only meaningful with the demo model trained on tools.
if (auto === 'true') {
  const chosen = await client.chat.completions.create({
    model, messages: ask('Drive forward 3 meters.'), tools, max_tokens: 256, temperature: 0,
  });
  out.auto = { finish: chosen.choices[0].finish_reason, calls: (chosen.choices[0].message.tool_calls ?? []).map(checkCall) };
}

// 7. A bad request is the package's BadRequestError, naming the field.
try {
  await client.chat.completions.create({
    model, messages: ask('go'), tools, tool_choice: { type: 'function', function: { name: 'fly' } },
  });
  out.badChoice = { thrown: false };
} catch (e) {
  out.badChoice = { thrown: true, class: e.constructor.name, status: e.status, code: e.code ?? null, param: e.param ?? null };
}

console.log(JSON.stringify(out));
