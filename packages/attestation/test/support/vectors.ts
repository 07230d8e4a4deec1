/** The shared vectors (`../shared/vectors`, or $SECGEAR_VECTORS) as the service tests read them. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifyAnchors, type CollateralItem, type EvidenceFormat, type TrustAnchor } from 'secgear/attest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..');
export const vectorsDir = process.env.SECGEAR_VECTORS ?? resolve(repoRoot, '..', 'shared', 'vectors');

export interface ManifestEntry {
  id: string;
  format: EvidenceFormat;
  evidence: string;
  collateral: Record<string, string>;
  anchors: string[];
  at: string | null;
  expect: { verified: boolean; tcbStatus?: string; advisoryIds?: string[] };
}

export const readVector = (p: string) => new Uint8Array(readFileSync(join(vectorsDir, p)));

export function manifestEntries(): ManifestEntry[] {
  return (JSON.parse(readFileSync(join(vectorsDir, 'manifest.json'), 'utf8')) as { entries: ManifestEntry[] }).entries;
}

export const collateralFor = (e: ManifestEntry): CollateralItem[] => Object.entries(e.collateral).map(([role, p]) => ({ role, data: readVector(p), source: p }));

export function anchorsFor(e: ManifestEntry): TrustAnchor[] {
  return e.anchors.flatMap((p) => classifyAnchors(readVector(p)) ?? []);
}
