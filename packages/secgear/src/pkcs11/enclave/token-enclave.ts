// The enclave image `secgear p11 serve` runs: the token, taking PINs from the host (local-only).
import { defineEnclave } from '../../enclave/runtime/runtime.js';
import { createP11TokenService } from './index.js';

const { ecalls } = createP11TokenService({ acceptHostPins: true });
defineEnclave({ ecalls });
