import { digitalConformance } from '../conformance/digitalConformance.js';
import { ExpanderPin } from './ExpanderPin.js';
import { SimExpanderBus } from './SimExpanderBus.js';

// Step 5: conformance. One call registers every test of the class for this driver on this bus.
// A shipped driver adds the same call to ../conformance.test.ts for each of its buses.
digitalConformance({
  name: 'expander-pin (template) on SimExpanderBus',
  input({ pull: _pull, ...options }) {
    // The chip has no bias setting: its inputs are always weakly high, so `pull` is ignored.
    const bus = new SimExpanderBus();
    const driver = new ExpanderPin({ bus, bit: 3, direction: 'in', ...options });
    return { driver, drive: (raw) => bus.drive(3, raw) };
  },
  output(options) {
    const bus = new SimExpanderBus();
    const driver = new ExpanderPin({ bus, bit: 5, direction: 'out', ...options });
    return { driver, probe: () => bus.level(5) };
  },
});
