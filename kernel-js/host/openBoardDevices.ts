import type { BoardBuses, DeviceSettings, Digital, OpenedDriver } from '../../drivers/index.js';
import { driverSpecsByName, openDriver } from '../../drivers/index.js';
import type { KernelDevice } from '../boot/KernelImage.js';
import { KernelError } from '../KernelError.js';

/** A board's devices, opened with their drivers on the board's buses. */
export interface BoardDevices {
  /** Every opened device by its name in the configuration. */
  readonly opened: ReadonlyMap<string, OpenedDriver>;
  /** The digital ones (gpio-in and gpio-out), and which of them are inputs. */
  readonly digital: ReadonlyMap<string, { readonly driver: Digital; readonly output: boolean }>;
  /** Closes every driver, releasing its lines and ports. */
  close(): Promise<void>;
}

/**
 * Opens every device of a board's configuration with `openDriver`, after checking its settings
 * against the driver's own schema (the builder checked them too; a slot is data from disk). One
 * device that cannot be opened closes the ones already opened and refuses the boot.
 */
export async function openBoardDevices(devices: Readonly<Record<string, KernelDevice>>, buses: BoardBuses): Promise<BoardDevices> {
  const opened = new Map<string, OpenedDriver>();
  const digital = new Map<string, { readonly driver: Digital; readonly output: boolean }>();
  const close = async (): Promise<void> => {
    // A serial port closes asynchronously (it flushes); the other classes at once.
    for (const device of opened.values()) {
      if (device.class === 'serial') await device.driver.close();
      else device.driver.close();
    }
  };
  for (const [name, device] of Object.entries(devices)) {
    const spec = driverSpecsByName.get(device.driver);
    const parsed = spec?.settings.safeParse({ ...device.settings, driver: device.driver });
    try {
      if (parsed?.success !== true) {
        throw new KernelError('kernel.device', `device ${name} names driver ${device.driver} with settings its driver does not accept`, {
          data: { device: name, driver: device.driver, issues: parsed?.error.issues ?? [] },
        });
      }
      const driver = await openDriver(parsed.data as DeviceSettings, buses);
      opened.set(name, driver);
      if (driver.class === 'digital') digital.set(name, { driver: driver.driver, output: device.driver === 'gpio-out' });
    } catch (cause) {
      await close();
      if (cause instanceof KernelError) throw cause;
      throw new KernelError('kernel.device', `device ${name} (${device.driver}) could not be opened: ${cause instanceof Error ? cause.message : String(cause)}`, { data: { device: name, driver: device.driver }, cause });
    }
  }
  return { opened, digital, close };
}
