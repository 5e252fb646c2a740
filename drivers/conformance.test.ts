import { digitalConformance } from './conformance/digitalConformance.js';
import { GpioIn } from './digital/GpioIn.js';
import { GpioOut } from './digital/GpioOut.js';
import { SimDigitalBus } from './digital/SimDigitalBus.js';

// Every driver/backend pair osmose ships runs its class's suite here, so `make test` covers
// them all. A new pair is one more call.

digitalConformance({
  name: 'gpio-in/gpio-out on SimDigitalBus',
  input(options) {
    const bus = new SimDigitalBus();
    const driver = new GpioIn({ bus, pin: 'GPIO17', ...options });
    return { driver, drive: (raw) => bus.setInput('GPIO17', raw) };
  },
  output(options) {
    const bus = new SimDigitalBus();
    const driver = new GpioOut({ bus, pin: 'GPIO27', ...options });
    return { driver, probe: () => bus.level('GPIO27') };
  },
});
