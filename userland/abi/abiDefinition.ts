import type { AbiDefinition, AbiParam, WasmValueType } from './AbiSpec.js';
import type { Capability } from '../../lib/capabilities.js';

/**
 * The unikernel ABI: the one definition the AssemblyScript SDK, the builder's checks and
 * kernel-js's host are all checked against, and from which docs/abi.md's reference tables
 * are rendered. Change it only with a new `version` (see docs/abi.md, "Versions").
 */

// A small constructor keeps each function on a few lines; the literal types survive so the
// host's implementation can be typed from this table (see HostImports).
function fn<const P extends readonly AbiParam[], const R extends WasmValueType, const C extends readonly Capability[]>(
  requires: C,
  params: P,
  result: R,
  doc: string,
): { readonly params: P; readonly result: R; readonly requires: C; readonly doc: string } {
  return { params, result, requires, doc };
}

const handle = ['handle', 'i32'] as const;

export const abiDefinition = {
  version: 3,
  versionSection: 'osmose.abi',

  modules: {
    config: {
      doc: "The board's signed configuration as this app instance sees it: its place, its devices, its settings. Always granted.",
      functions: {
        device: fn(['config'], [['alias_ptr', 'i32'], ['alias_len', 'i32']], 'i32',
          'The handle of the device the app needs under this alias (UTF-8), on this board or across a circuit; NotFound when the app has no such need.'),
        read: fn(['config'], [['key_ptr', 'i32'], ['key_len', 'i32'], ['buf_ptr', 'i32'], ['buf_cap', 'i32']], 'i32',
          "Copies the UTF-8 value of a configuration key (see the keys below) into the buffer; returns the value's full length, or NotFound."),
      },
    },
    log: {
      doc: "The board's log, recorded with the app's name. Always granted.",
      functions: {
        write: fn(['log'], [['level', 'i32'], ['msg_ptr', 'i32'], ['msg_len', 'i32']], 'i32', 'Logs a UTF-8 message at a LogLevel.'),
      },
    },
    clock: {
      doc: 'Time and timers. Always granted.',
      functions: {
        now: fn(['clock'], [], 'i64', 'Wall-clock time: milliseconds since 1970-01-01T00:00:00Z.'),
        monotonic: fn(['clock'], [], 'i64', 'Milliseconds since the unikernel started; never goes back. For intervals.'),
        utcOffset: fn(['clock'], [], 'i32', "Minutes to add to UTC for the building's local time (building.timezone) now."),
        setTimer: fn(['clock'], [['delay_ms', 'i32'], ['period_ms', 'i32']], 'i32',
          'Raises a Timer event after delay_ms, then every period_ms (0: once). Returns the timer id.'),
        cancelTimer: fn(['clock'], [['timer', 'i32']], 'i32', 'Stops a timer; NotFound when it already fired for the last time.'),
      },
    },
    gpio: {
      doc: 'Digital inputs and outputs (drivers gpio-in, gpio-out). Levels are logical: 1 is active (pressed, on), whatever the pull or activeLow.',
      functions: {
        read: fn(['gpio'], [handle], 'i32', 'The level of an input or output: 0 or 1.'),
        write: fn(['gpio'], [handle, ['level', 'i32']], 'i32', 'Sets an output to 0 or 1.'),
      },
    },
    serial: {
      doc: 'Serial ports (driver serial).',
      functions: {
        read: fn(['serial'], [handle, ['buf_ptr', 'i32'], ['buf_cap', 'i32']], 'i32', 'Moves up to buf_cap received bytes into the buffer; returns how many (0: none waiting).'),
        write: fn(['serial'], [handle, ['data_ptr', 'i32'], ['data_len', 'i32']], 'i32', 'Queues bytes for sending; returns how many were taken (fewer when the queue is full).'),
      },
    },
    audio: {
      doc: "Microphones (audio-in) and speakers (audio-out). PCM is signed 16-bit little-endian, channels interleaved, at the device's rate (config device.ALIAS.rate, .channels).",
      functions: {
        start: fn(['audio.in'], [handle], 'i32', 'Starts capturing: Audio events follow as frames arrive.'),
        stop: fn(['audio.in'], [handle], 'i32', 'Stops capturing or recording; frames not yet read are dropped.'),
        read: fn(['audio.in'], [handle, ['buf_ptr', 'i32'], ['buf_cap', 'i32']], 'i32', 'Moves up to buf_cap bytes of captured PCM into the buffer; returns how many.'),
        record: fn(['audio.in', 'enclave'], [handle, ['vault', 'i32'], ['key', 'i32']], 'i32',
          'Records the microphone straight into an enclave, sealed under a key the enclave holds: the audio never enters wasm memory. Stop with audio.stop.'),
        write: fn(['audio.out'], [handle, ['pcm_ptr', 'i32'], ['pcm_len', 'i32']], 'i32', 'Queues PCM for playing; returns how many bytes were taken (Busy when the queue is full).'),
        play: fn(['audio.out'], [handle, ['clip_ptr', 'i32'], ['clip_len', 'i32'], ['person', 'i32']], 'i32',
          "Plays a clip shipped with the app (UTF-8 name), aimed at a person when the speaker is directional (person -1: everyone)."),
      },
    },
    display: {
      doc: 'Screens (driver display). Drawing goes to a frame buffer; flush shows it (e-ink refreshes only the changed area). Colours are 0xRRGGBB.',
      functions: {
        width: fn(['display'], [handle], 'i32', 'Width in pixels.'),
        height: fn(['display'], [handle], 'i32', 'Height in pixels.'),
        clear: fn(['display'], [handle, ['color', 'i32']], 'i32', 'Fills the whole frame buffer with one colour.'),
        fill: fn(['display'], [handle, ['x', 'i32'], ['y', 'i32'], ['w', 'i32'], ['h', 'i32'], ['color', 'i32']], 'i32', 'Fills a rectangle.'),
        text: fn(['display'], [handle, ['x', 'i32'], ['y', 'i32'], ['size', 'i32'], ['color', 'i32'], ['text_ptr', 'i32'], ['text_len', 'i32']], 'i32',
          "Draws UTF-8 text with its top-left corner at (x, y), size pixels tall, in the board's font; each character advances at most size × 3/4."),
        blit: fn(['display'], [handle, ['x', 'i32'], ['y', 'i32'], ['w', 'i32'], ['h', 'i32'], ['pixels_ptr', 'i32'], ['pixels_len', 'i32']], 'i32',
          'Copies w×h pixels, 3 bytes each (R, G, B), row by row, to (x, y).'),
        flush: fn(['display'], [handle], 'i32', 'Shows what was drawn since the last flush.'),
      },
    },
    enclave: {
      doc: 'Sealed storage and keys (driver enclave). Keys stay in the enclave: the app holds handles to them, never their bytes.',
      functions: {
        groupKey: fn(['enclave'], [handle, ['people_ptr', 'i32'], ['people_count', 'i32']], 'i32',
          'Derives a key for exactly these people (an array of people_count i32 person handles); returns its key handle.'),
        dropKey: fn(['enclave'], [handle, ['key', 'i32']], 'i32', 'Destroys a key: what was sealed under it stays readable only to the people it was derived for.'),
        seal: fn(['enclave'], [handle, ['key', 'i32'], ['data_ptr', 'i32'], ['data_len', 'i32']], 'i32',
          "Stores data encrypted under a key, kept and disclosed as the app's policy (retain, disclose) says."),
      },
    },
    channel: {
      doc: 'Circuits to other boards, set up by the planner at build time (control: one datagram per action; stream: a ring buffer with flow control).',
      functions: {
        open: fn(['channel'], [['name_ptr', 'i32'], ['name_len', 'i32']], 'i32', 'The handle of the circuit with this UTF-8 name in the configuration; NotFound when the plan has none.'),
        send: fn(['channel'], [handle, ['data_ptr', 'i32'], ['data_len', 'i32']], 'i32', 'Sends one message; Busy when a stream is full, TooLarge past the circuit\'s message size.'),
        receive: fn(['channel'], [handle, ['buf_ptr', 'i32'], ['buf_cap', 'i32']], 'i32',
          'Returns the length of the oldest waiting message and copies it when it fits, which takes it off the queue; NotFound when none waits.'),
      },
    },
    presence: {
      doc: "Who is in the app's space, as pseudonymous person handles that stay the same for one visit. Never who they are.",
      functions: {
        count: fn(['presence'], [], 'i32', 'How many people are in the space.'),
        list: fn(['presence'], [['out_ptr', 'i32'], ['out_count', 'i32']], 'i32',
          'Writes up to out_count person handles (i32) into the buffer; returns how many people are present.'),
        destination: fn(['presence'], [['person', 'i32'], ['buf_ptr', 'i32'], ['buf_cap', 'i32']], 'i32',
          'Copies the id of the space this person is expected in (UTF-8); returns its full length, or NotFound.'),
        expected: fn(['presence'], [['out_ptr', 'i32'], ['out_count', 'i32']], 'i32',
          'Writes up to out_count handles (i32) of the people expected in the space and not there yet; returns how many are expected. Since ABI 3.'),
        preference: fn(['presence'], [['person', 'i32'], ['name_ptr', 'i32'], ['name_len', 'i32']], 'i32',
          'A preference of someone present or expected, by UTF-8 name: "temperature" in tenths of a degree Celsius (215 is 21.5 °C). Never negative; NotFound when they stated none or the name is unknown. Since ABI 3.'),
      },
    },
  },

  exports: {
    memory: { kind: 'memory', required: true, doc: 'The linear memory every pointer refers to. The module exports it; it never imports one.' },
    _initialize: {
      kind: 'function', params: [], results: [], required: true,
      doc: "Runs the module's top-level code (the compiler's start function, exported so the host can call it once the memory is reachable). Called once, first.",
    },
    start: {
      kind: 'function', params: [], results: ['i32'], required: false,
      doc: 'Called once after _initialize, before any event. Returns a Status.',
    },
    selftest: {
      kind: 'function', params: [], results: ['i32'], required: false,
      doc: "The app's own health check, run by the update agent while a new image is on trial (after start, before the image is confirmed). A negative Status, or a trap, fails the trial and the board goes back to the image it ran before.",
    },
    handle: {
      kind: 'function', params: [['kind', 'i32'], ['source', 'i32'], ['value', 'i32']], results: ['i32'], required: true,
      doc: 'Called for each event, one at a time. Returns Ok, Ignored, or the failure status.',
    },
  },

  status: {
    Ok: { code: 0, doc: 'It worked.' },
    Ignored: { code: 1, doc: 'Returned by handle: the event was not for this app. Not a failure.' },
    NotFound: { code: -1, doc: 'No such alias, key, timer, circuit or message.' },
    Denied: { code: -2, doc: "The app's policy does not allow this." },
    BadHandle: { code: -3, doc: 'The handle is unknown, closed, or of a device that cannot do this.' },
    BadArgument: { code: -4, doc: 'An argument is out of range, a pointer or length leaves memory, or text is not UTF-8.' },
    Busy: { code: -5, doc: 'Not now: a queue is full. Try again on a later event.' },
    Unavailable: { code: -6, doc: 'The device or peer is not reachable.' },
    TooLarge: { code: -7, doc: 'More than the device or circuit takes at once.' },
    Unsupported: { code: -8, doc: 'The device cannot do this (a speaker that is not directional asked to aim).' },
    Failed: { code: -9, doc: 'The driver failed; the board logged why.' },
  },

  events: {
    Press: { code: 1, source: 'gpio input handle', value: '0', doc: 'A digital input became active, after its debounce.' },
    Release: { code: 2, source: 'gpio input handle', value: '0', doc: 'A digital input became inactive, after its debounce.' },
    Timer: { code: 3, source: 'timer id', value: '0', doc: 'A timer set with clock.setTimer fired.' },
    Message: { code: 4, source: 'channel handle', value: 'length of the oldest waiting message', doc: 'A message arrived on a circuit.' },
    Audio: { code: 5, source: 'audio-in handle', value: 'bytes of PCM waiting', doc: 'Captured audio is waiting to be read.' },
    Serial: { code: 6, source: 'serial handle', value: 'bytes waiting', doc: 'Bytes arrived on a serial port.' },
    Arrived: { code: 7, source: 'person handle', value: 'people present now', doc: "Someone entered the app's space." },
    Left: { code: 8, source: 'person handle', value: 'people present now', doc: "Someone left the app's space; their handle is not used again." },
    Expected: { code: 9, source: 'person handle', value: 'people expected now', doc: "Someone is on their way to the app's space: ready it before they arrive.", since: 3 },
    NotExpected: { code: 10, source: 'person handle', value: 'people expected now', doc: 'Someone is no longer expected: they arrived (an Arrived came first), went elsewhere or left the building.', since: 3 },
  },

  logLevels: {
    Debug: { code: 0, doc: 'Detail for whoever debugs the app.' },
    Info: { code: 1, doc: 'Something worth recording.' },
    Warn: { code: 2, doc: 'Something went wrong and the app carried on.' },
    Error: { code: 3, doc: 'Something failed.' },
    Fatal: { code: 4, doc: 'The app is about to trap (the SDK logs its abort message at this level).' },
  },

  configKeys: {
    'building.id': "The building's id.",
    'building.name': "The building's name.",
    'building.timezone': 'The IANA time zone of the building, such as Europe/London.',
    'board.id': "This board's id.",
    'board.type': "This board's support package, such as rpi4 or sim.",
    'space.id': 'The id of the space the app instance is placed in.',
    'space.kind': 'Its kind (room, floor, …).',
    'space.name': 'Its name, or its id when it has none.',
    'space.path': 'The ids of the spaces from the building down to it, joined by /.',
    'app.name': "The app's name in building.yaml.",
    'app.instance': "This instance's id: the app's name and the space or board it is placed on.",
    'device.ALIAS.driver': 'The driver of the device bound to a need.',
    'device.ALIAS.board': 'The board that device is on (another board means a circuit carries the calls).',
    'device.ALIAS.SETTING': "Any of that device's settings in building.yaml, as text (device.mic.rate is 16000).",
    'settings.NAME': "The app's own settings. building.yaml has no place for them yet, so apps give a default.",
  },
} as const satisfies AbiDefinition;

/** The ABI version the SDK, the builder and this release's host implement. */
export const abiVersion: number = abiDefinition.version;
