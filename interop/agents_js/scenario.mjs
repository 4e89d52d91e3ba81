// The interop scenario with the JavaScript Agents SDK (@openai/agents-realtime) in Node:
// a text turn, a tool call, an audio turn with server VAD, and session.interrupt() during a
// spoken reply followed by a new turn that is answered.
//
//   node scenario.mjs ws://127.0.0.1:PORT/v1/realtime question.pcm
//
// Prints one JSON line of results; exit status 0 when every step passed.
import { readFileSync } from 'node:fs';
import { RealtimeAgent, RealtimeSession, tool } from '@openai/agents-realtime';

const [url, speechFile] = process.argv.slice(2);
const STEP_MS = 20000;

const getWeather = tool({
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
  execute: async ({ city }) => `Sunny and 21 degrees in ${city}`,
});

const agent = new RealtimeAgent({
  name: 'Assistant',
  instructions: 'You are a helpful assistant.',
  tools: [getWeather],
});

const session = new RealtimeSession(agent, {
  transport: 'websocket',
  model: 'gpt-realtime',
  config: {
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        transcription: { model: 'gpt-4o-mini-transcribe' },
        turnDetection: { type: 'server_vad', interruptResponse: true },
      },
      output: { format: { type: 'audio/pcm', rate: 24000 } },
    },
  },
});

const errors = [];
session.on('error', (e) => errors.push(String(e?.error?.message ?? e?.error ?? e)));

function next(name, accept = () => true) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      session.off(name, handler);
      reject(new Error(`no ${name} within ${STEP_MS} ms`));
    }, STEP_MS);
    const handler = (...args) => {
      if (!accept(...args)) return;
      clearTimeout(timer);
      session.off(name, handler);
      resolve(args);
    };
    session.on(name, handler);
  });
}

function assistantTexts() {
  const texts = [];
  for (const item of session.history) {
    if (item.type !== 'message' || item.role !== 'assistant') continue;
    for (const part of item.content) {
      const text = part.transcript ?? part.text;
      if (text) texts.push(text);
    }
  }
  return texts;
}

function expectLast(expected) {
  const texts = assistantTexts();
  const last = texts[texts.length - 1];
  if (last !== expected) throw new Error(`assistant said ${JSON.stringify(last)}, not ${JSON.stringify(expected)}`);
}

async function textTurn() {
  const done = next('agent_end');
  session.sendMessage('Hello there');
  await done;
  expectLast('You said: Hello there');
}

async function toolTurn() {
  const toolEnd = next('agent_tool_end');
  const answered = next('agent_end', (_ctx, _agent, output) => output.includes('returned'));
  session.sendMessage("What's the weather in Paris?");
  const [, , , result] = await toolEnd;
  if (result !== 'Sunny and 21 degrees in Paris') throw new Error(`tool result ${result}`);
  await answered;
  expectLast('get_weather returned: Sunny and 21 degrees in Paris');
}

async function audioTurn() {
  const speech = readFileSync(speechFile);
  const done = next('agent_end');
  for (let start = 0; start < speech.length; start += 4800) {
    const chunk = speech.subarray(start, start + 4800);
    session.sendAudio(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength));
  }
  await done;
  expectLast('You said: what time is it');
}

async function interruptTurn() {
  let chunks = 0;
  const playing = next('audio', () => ++chunks >= 3);
  const ended = next('agent_end');
  session.sendMessage('Tell me a long story about the sea and the ships on it');
  await playing;
  session.interrupt();
  await ended;
  const answered = next('agent_end');
  session.sendMessage('Are you still there?');
  await answered;
  expectLast('You said: Are you still there?');
}

const results = {};
let code = 0;
try {
  await session.connect({ apiKey: 'sk-test', url });
  for (const [name, step] of Object.entries({
    text: textTurn,
    tool: toolTurn,
    audio: audioTurn,
    interrupt: interruptTurn,
  })) {
    const before = errors.length;
    try {
      await step();
      results[name] = errors.length > before ? `FAIL: ${errors.slice(before).join('; ')}` : 'ok';
    } catch (e) {
      results[name] = `FAIL: ${e.message}`;
    }
    if (results[name] !== 'ok') code = 1;
  }
} catch (e) {
  for (const name of ['text', 'tool', 'audio', 'interrupt']) results[name] ??= `FAIL: ${e.message}`;
  code = 1;
} finally {
  session.close();
}
console.log(JSON.stringify({ framework: '@openai/agents-realtime', results }));
process.exit(code);
