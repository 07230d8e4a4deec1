import { prepareEdlManifest } from '../edl/build-manifest.js';
import type { ManifestInput } from './manifest.js';

/**
 * Steps `secgear build` runs on the manifest input before it is sealed into the image, in
 * order (the EDL generator registers one to record `edlHash` and the declared ecalls/ocalls).
 */
export type ManifestPreparer = (input: ManifestInput, manifestDir: string) => Promise<ManifestInput> | ManifestInput;

export const manifestPreparers: ManifestPreparer[] = [prepareEdlManifest];
