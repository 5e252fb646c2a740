// The host functions of the osmose ABI, version 1, exactly as userland/abi/abiDefinition.ts
// defines them (a test compiles the SDK and compares). Apps call the typed wrappers in the
// other files; these stay internal to the SDK.

// config
@external("config", "device") export declare function config_device(alias_ptr: usize, alias_len: i32): i32;
@external("config", "read") export declare function config_read(key_ptr: usize, key_len: i32, buf_ptr: usize, buf_cap: i32): i32;

// log
@external("log", "write") export declare function log_write(level: i32, msg_ptr: usize, msg_len: i32): i32;

// clock
@external("clock", "now") export declare function clock_now(): i64;
@external("clock", "monotonic") export declare function clock_monotonic(): i64;
@external("clock", "utcOffset") export declare function clock_utcOffset(): i32;
@external("clock", "setTimer") export declare function clock_setTimer(delay_ms: i32, period_ms: i32): i32;
@external("clock", "cancelTimer") export declare function clock_cancelTimer(timer: i32): i32;

// gpio
@external("gpio", "read") export declare function gpio_read(handle: i32): i32;
@external("gpio", "write") export declare function gpio_write(handle: i32, level: i32): i32;

// serial
@external("serial", "read") export declare function serial_read(handle: i32, buf_ptr: usize, buf_cap: i32): i32;
@external("serial", "write") export declare function serial_write(handle: i32, data_ptr: usize, data_len: i32): i32;

// audio
@external("audio", "start") export declare function audio_start(handle: i32): i32;
@external("audio", "stop") export declare function audio_stop(handle: i32): i32;
@external("audio", "read") export declare function audio_read(handle: i32, buf_ptr: usize, buf_cap: i32): i32;
@external("audio", "record") export declare function audio_record(handle: i32, vault: i32, key: i32): i32;
@external("audio", "write") export declare function audio_write(handle: i32, pcm_ptr: usize, pcm_len: i32): i32;
@external("audio", "play") export declare function audio_play(handle: i32, clip_ptr: usize, clip_len: i32, person: i32): i32;

// display
@external("display", "width") export declare function display_width(handle: i32): i32;
@external("display", "height") export declare function display_height(handle: i32): i32;
@external("display", "clear") export declare function display_clear(handle: i32, color: i32): i32;
@external("display", "fill") export declare function display_fill(handle: i32, x: i32, y: i32, w: i32, h: i32, color: i32): i32;
@external("display", "text") export declare function display_text(handle: i32, x: i32, y: i32, size: i32, color: i32, text_ptr: usize, text_len: i32): i32;
@external("display", "blit") export declare function display_blit(handle: i32, x: i32, y: i32, w: i32, h: i32, pixels_ptr: usize, pixels_len: i32): i32;
@external("display", "flush") export declare function display_flush(handle: i32): i32;

// enclave
@external("enclave", "groupKey") export declare function enclave_groupKey(handle: i32, people_ptr: usize, people_count: i32): i32;
@external("enclave", "dropKey") export declare function enclave_dropKey(handle: i32, key: i32): i32;
@external("enclave", "seal") export declare function enclave_seal(handle: i32, key: i32, data_ptr: usize, data_len: i32): i32;

// channel
@external("channel", "open") export declare function channel_open(name_ptr: usize, name_len: i32): i32;
@external("channel", "send") export declare function channel_send(handle: i32, data_ptr: usize, data_len: i32): i32;
@external("channel", "receive") export declare function channel_receive(handle: i32, buf_ptr: usize, buf_cap: i32): i32;

// presence
@external("presence", "count") export declare function presence_count(): i32;
@external("presence", "list") export declare function presence_list(out_ptr: usize, out_count: i32): i32;
@external("presence", "destination") export declare function presence_destination(person: i32, buf_ptr: usize, buf_cap: i32): i32;
@external("presence", "expected") export declare function presence_expected(out_ptr: usize, out_count: i32): i32;
@external("presence", "preference") export declare function presence_preference(person: i32, name_ptr: usize, name_len: i32): i32;
