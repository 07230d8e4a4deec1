/** Installs the file-system reader of this machine's sim root (host entry points import this). */
import { readSimRootCertificate } from '../../../backends/sim-platform/state.js';
import { setLocalSimRootReader } from './local-root.js';

setLocalSimRootReader(() => readSimRootCertificate());
