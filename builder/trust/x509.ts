// The order matters: tsyringe, under @peculiar/x509, checks for the metadata API as it loads.
import './reflectMetadata.js';
import * as x509 from '@peculiar/x509';

/**
 * @peculiar/x509, loaded after the Reflect metadata it needs. Import it from here, never from
 * '@peculiar/x509' directly, or the first import in a process may throw.
 */
export { x509 };
