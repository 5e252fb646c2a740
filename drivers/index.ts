export { driverSpecs, driverSpecsByName, driverNames } from './driverSpecs.js';
export { defineDriver } from './DriverSpec.js';
export type { DriverSpec, DriverClass, ResourceClaim } from './DriverSpec.js';
export { boardFeatures } from './boardFeatures.js';
export type { BoardFeature } from './boardFeatures.js';
export { DriverError } from './DriverError.js';
export type { DriverErrorCode } from './DriverError.js';

// Class interfaces and the buses their drivers receive.
export type { Digital, EdgeListener, Level } from './digital/Digital.js';
export type { DigitalBus, DigitalLine, LineConfig } from './digital/DigitalBus.js';
export type { Serial } from './serial/Serial.js';
export type { SerialBus } from './serial/SerialBus.js';
export type { AudioFormat, AudioIn, AudioOut } from './audio/Audio.js';
export type { AudioInBus, AudioOutBus } from './audio/AudioBus.js';
export type { Display, Rect } from './display/Display.js';
export type { DisplayBus } from './display/DisplayBus.js';
export type { Enclave, KeyHandle } from './enclave/Enclave.js';
export type { EnclaveBus } from './enclave/EnclaveBus.js';

// Drivers.
export { GpioIn } from './digital/GpioIn.js';
export type { GpioInOptions } from './digital/GpioIn.js';
export { GpioOut } from './digital/GpioOut.js';
export type { GpioOutOptions } from './digital/GpioOut.js';
export { EdgeDebouncer } from './digital/EdgeDebouncer.js';
export { SerialLine } from './serial/SerialLine.js';
export type { SerialLineOptions } from './serial/SerialLine.js';
export { Microphone } from './audio/Microphone.js';
export type { MicrophoneOptions } from './audio/Microphone.js';
export { Speaker } from './audio/Speaker.js';
export type { SpeakerOptions } from './audio/Speaker.js';
export { FrameDisplay } from './display/FrameDisplay.js';
export type { FrameDisplayOptions } from './display/FrameDisplay.js';
export { VaultEnclave } from './enclave/VaultEnclave.js';
export type { VaultEnclaveOptions } from './enclave/VaultEnclave.js';
// Reading what an enclave sealed outside it: a participant unwraps the key, then opens.
export { wrapKeyFor, unwrapKeyWith } from './enclave/keyWrap.js';
export { openSealed } from './enclave/openSealed.js';
export { rawX25519PublicKey, x25519PublicKey } from './enclave/x25519Keys.js';

// Simulated buses (the sim board). Real buses (OnoffDigitalBus, serialportBus) load native
// addons, so they are imported from their own files only on boards that use them.
export { SimDigitalBus } from './digital/SimDigitalBus.js';
export { simSerialPair } from './serial/simSerialPair.js';
export { SimMicrophone, SimSpeaker } from './audio/SimAudio.js';
export type { SimPlay } from './audio/SimAudio.js';
export { decodeWav, encodeWav } from './audio/wav.js';
export type { Wav } from './audio/wav.js';
export { SimDisplayBus } from './display/SimDisplayBus.js';
export { encodePng } from './display/encodePng.js';
export { SimEnclaveBus } from './enclave/SimEnclaveBus.js';

// Opening a device from its building.yaml settings on a board's buses.
export { openDriver } from './openDriver.js';
export type { BoardBuses, DeviceSettings, OpenedDriver } from './openDriver.js';
export { simBoardBuses } from './sim/simBoardBuses.js';
export type { SimBoard, SimBoardOptions } from './sim/simBoardBuses.js';
