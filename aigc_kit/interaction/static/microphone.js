// The front end of aigc_kit.interaction.voice.Microphone (an anywidget ES module).
//
// Captures the browser's microphone with the Web Audio API, finds spoken commands with an
// energy voice-activity detector (or press to record), draws each take as a waveform with a
// player, and sends it to the kernel as 16-bit PCM with its sample rate. Replies from the
// kernel (a clip to play) are played at once; the time from the end of the spoken command
// to the moment the reply starts playing is measured here and sent back.
//
// Messages to the kernel:   {kind: "ready"}, {kind: "clip", id, sr, speech_end_ms} + PCM,
//                           {kind: "problem", problem, message}, {kind: "latency", id, seconds}
// Messages from the kernel: {kind: "reply", id} + WAV bytes (id: the clip it answers, or -1)

const FRAME_S = 0.02; // analysis frame of the voice-activity detector (s)
const PREROLL_S = 0.25; // audio kept from before the detector fired (s)
const MIN_SPEECH_S = 0.12; // shorter bursts (a click, a cough) are ignored (s)
const START_FRAMES = 2; // frames above the threshold that start a command

function dbfs(frame) {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += frame[i] * frame[i];
  return 10 * Math.log10(sum / frame.length + 1e-12);
}

function concat(chunks) {
  const n = chunks.reduce((total, c) => total + c.length, 0);
  const out = new Float32Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function pcm16(samples) {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    out[i] = Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32767)));
  }
  return out;
}

function wavBlob(samples, sr) {
  const data = pcm16(samples);
  const view = new DataView(new ArrayBuffer(44 + data.byteLength));
  const text = (at, s) => [...s].forEach((ch, i) => view.setUint8(at + i, ch.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + data.byteLength, true);
  text(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sr, true);
  view.setUint32(28, sr * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, data.byteLength, true);
  new Int16Array(view.buffer, 44).set(data);
  return new Blob([view.buffer], { type: "audio/wav" });
}

function drawWave(canvas, samples) {
  const g = canvas.getContext("2d");
  const { width, height } = canvas;
  g.clearRect(0, 0, width, height);
  g.strokeStyle = "#1f77b4";
  g.beginPath();
  const step = Math.max(1, Math.floor(samples.length / width));
  for (let x = 0; x < width; x++) {
    let lo = 0;
    let hi = 0;
    for (let i = x * step; i < Math.min(samples.length, (x + 1) * step); i++) {
      lo = Math.min(lo, samples[i]);
      hi = Math.max(hi, samples[i]);
    }
    g.moveTo(x + 0.5, height / 2 - hi * (height / 2));
    g.lineTo(x + 0.5, height / 2 - lo * (height / 2) + 1);
  }
  g.stroke();
}

// A worklet that hands every block of input samples to the main thread.
const WORKLET = `
class Tap extends AudioWorkletProcessor {
  process(inputs) {
    const input = inputs[0];
    if (input && input[0]) {
      const mono = new Float32Array(input[0].length);
      for (const channel of input) for (let i = 0; i < mono.length; i++) mono[i] += channel[i] / input.length;
      this.port.postMessage(mono, [mono.buffer]);
    }
    return true;
  }
}
registerProcessor("aigc-tap", Tap);
`;

async function tapNode(ctx, source, onBlock) {
  if (ctx.audioWorklet) {
    const url = URL.createObjectURL(new Blob([WORKLET], { type: "text/javascript" }));
    await ctx.audioWorklet.addModule(url);
    const node = new AudioWorkletNode(ctx, "aigc-tap");
    node.port.onmessage = (event) => onBlock(event.data);
    source.connect(node);
    return node;
  }
  const node = ctx.createScriptProcessor(1024, 1, 1); // older browsers
  node.onaudioprocess = (event) => onBlock(new Float32Array(event.inputBuffer.getChannelData(0)));
  source.connect(node);
  node.connect(ctx.destination);
  return node;
}

// The voice-activity detector: frames in, finished commands out.
class Detector {
  constructor(sr, model, onCommand) {
    this.sr = sr;
    this.model = model;
    this.onCommand = onCommand;
    this.frameLength = Math.round(FRAME_S * sr);
    this.pending = new Float32Array(0);
    this.floor = -60;
    this.preroll = [];
    this.speech = null;
    this.loudFrames = 0;
  }

  push(block) {
    const joined = new Float32Array(this.pending.length + block.length);
    joined.set(this.pending);
    joined.set(block, this.pending.length);
    let at = 0;
    for (; at + this.frameLength <= joined.length; at += this.frameLength) {
      this.frame(joined.slice(at, at + this.frameLength), performance.now());
    }
    this.pending = joined.slice(at);
  }

  frame(frame, now) {
    const level = dbfs(frame);
    const onDb = Math.max(this.floor + this.model.get("start_db"), this.model.get("min_db"));
    const offDb = Math.max(this.floor + this.model.get("start_db") / 2, this.model.get("min_db") - 6);
    // the noise floor follows quiet frames at once and loud ones very slowly
    this.floor = level < this.floor ? level : this.floor + 0.02;
    if (this.speech === null) {
      this.preroll.push(frame);
      if (this.preroll.length > PREROLL_S / FRAME_S) this.preroll.shift();
      this.loudFrames = level > onDb ? this.loudFrames + 1 : 0;
      if (this.loudFrames >= START_FRAMES) {
        this.speech = { chunks: [...this.preroll], voiced: 0, lastVoice: now, quiet: 0 };
        this.preroll = [];
      }
      return;
    }
    const s = this.speech;
    s.chunks.push(frame);
    if (level > offDb) {
      s.voiced += 1;
      s.quiet = 0;
      s.lastVoice = now;
    } else {
      s.quiet += 1;
    }
    const hangover = this.model.get("hangover_ms") / 1000;
    const tooLong = s.chunks.length * FRAME_S > this.model.get("max_seconds");
    if (s.quiet * FRAME_S >= hangover || tooLong) {
      this.speech = null;
      this.loudFrames = 0;
      if (s.voiced * FRAME_S >= MIN_SPEECH_S) {
        const keep = s.chunks.length - Math.max(0, s.quiet - Math.round(0.1 / FRAME_S));
        this.onCommand(concat(s.chunks.slice(0, keep)), s.lastVoice);
      }
    }
  }
}

const PROBLEMS = {
  NotAllowedError: "denied",
  SecurityError: "denied",
  NotFoundError: "no-device",
  OverconstrainedError: "no-device",
  NotReadableError: "busy",
};

function render({ model, el }) {
  el.classList.add("aigc-mic");
  const button = document.createElement("button");
  button.className = "aigc-mic-button";
  const level = document.createElement("span");
  level.className = "aigc-mic-state";
  const canvas = document.createElement("canvas");
  canvas.className = "aigc-mic-wave";
  canvas.width = 360;
  canvas.height = 56;
  const take = document.createElement("audio");
  take.className = "aigc-mic-take";
  take.controls = true;
  const reply = document.createElement("audio");
  reply.className = "aigc-mic-reply";
  reply.controls = true;
  const latency = document.createElement("span");
  latency.className = "aigc-mic-latency";
  const status = document.createElement("div");
  status.className = "aigc-mic-status";
  const showStatus = () => (status.textContent = model.get("status"));
  model.on("change:status", showStatus);
  showStatus();
  const row = (label, ...items) => {
    const div = document.createElement("div");
    div.className = "aigc-mic-row";
    const tag = document.createElement("b");
    tag.textContent = label;
    div.append(tag, ...items);
    return div;
  };
  el.append(row("", button, level), row("you said", canvas, take), row("reply", reply, latency), status);

  let session = null;
  let clipId = 0;
  const speechEnd = new Map();
  const urls = [];

  const setListening = (on) => {
    button.textContent = on ? "■ stop listening" : "🎤 start listening";
    if (model.get("mode") === "press") button.textContent = on ? "■ stop and send" : "🎤 press to speak";
    level.textContent = on ? "listening…" : "";
    if (model.get("listening") !== on) {
      model.set("listening", on);
      model.save_changes();
    }
  };

  const send = (samples, sr, endMs) => {
    const id = clipId++;
    speechEnd.set(id, endMs);
    drawWave(canvas, samples);
    const url = URL.createObjectURL(wavBlob(samples, sr));
    urls.push(url);
    if (urls.length > 4) URL.revokeObjectURL(urls.shift());
    take.src = url;
    const data = pcm16(samples);
    model.send({ kind: "clip", id, sr, speech_end_ms: endMs }, undefined, [data.buffer]);
  };

  const problem = (name, message) => {
    model.send({ kind: "problem", problem: name, message: String(message || "") });
    setListening(false);
  };

  async function start() {
    if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
      problem("insecure", "navigator.mediaDevices is not available on this page");
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: false, autoGainControl: true },
      });
    } catch (error) {
      problem(PROBLEMS[error.name] || "error", `${error.name}: ${error.message}`);
      return;
    }
    const ctx = new AudioContext();
    const source = ctx.createMediaStreamSource(stream);
    const press = model.get("mode") === "press";
    const recorded = [];
    const detector = new Detector(ctx.sampleRate, model, (samples, endMs) => send(samples, ctx.sampleRate, endMs));
    const node = await tapNode(ctx, source, (block) => (press ? recorded.push(block) : detector.push(block)));
    session = { ctx, stream, node, press, recorded };
    setListening(true);
  }

  function stop() {
    if (!session) return;
    const { ctx, stream, node, press, recorded } = session;
    session = null;
    if (press && recorded.length) send(concat(recorded), ctx.sampleRate, performance.now());
    node.disconnect();
    stream.getTracks().forEach((track) => track.stop());
    ctx.close();
    setListening(false);
  }

  button.addEventListener("click", () => (session ? stop() : start()));
  model.on("change:listening", () => {
    if (!model.get("listening")) stop();
  });
  model.on("msg:custom", (msg, buffers) => {
    if (msg.kind !== "reply" || !buffers || !buffers.length) return;
    const url = URL.createObjectURL(new Blob([buffers[0]], { type: "audio/wav" }));
    const end = speechEnd.get(msg.id);
    reply.onplaying = () => {
      reply.onplaying = null;
      if (end === undefined) return;
      const seconds = (performance.now() - end) / 1000;
      latency.textContent = `played ${seconds.toFixed(2)} s after you stopped speaking`;
      latency.dataset.seconds = String(seconds);
      latency.dataset.history = [latency.dataset.history, seconds.toFixed(4)].filter(Boolean).join(",");
      model.send({ kind: "latency", id: msg.id, seconds });
    };
    if (reply.src) URL.revokeObjectURL(reply.src);
    reply.src = url;
    reply.play().catch((error) => {
      latency.textContent = `press ▶ to hear the reply (the browser blocked autoplay: ${error.name})`;
    });
  });
  setListening(false);
  model.send({ kind: "ready" });
  return () => stop();
}

export default { render };
