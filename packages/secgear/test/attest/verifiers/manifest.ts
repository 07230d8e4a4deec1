/**
 * Reads `../shared/vectors/manifest.json` entries of one format and turns them into
 * `verifyEvidence` options the way the CLI would: collateral with the manifest's roles, anchors
 * recognised by content through the collateral front end.
 */
import { readFileSync } from 'node:fs';
import { classifyAnchors } from '../../../src/attest/collateral/classify.js';
import type { CollateralItem, EvidenceFormat, TrustAnchor, VerifyOptions } from '../../../src/attest/types.js';
import { readVector, vectorPath } from '../../support/paths.js';

export interface ManifestEntry {
  id: string;
  format: EvidenceFormat;
  evidence: string;
  collateral: Record<string, string>;
  anchors: string[];
  at: string | null;
  expect: { verified: boolean; notes?: string; tcbStatus?: string; advisoryIds?: string[] };
  alsoExpect: { at: string; verified: boolean }[];
}

/** Entries without a pinned time are checked here: inside every such vector's validity (SOURCES.md). */
export const UNPINNED_TIME = '2025-06-01T00:00:00Z';

/** The manifest's entries of `format`, or all of them. */
export function manifestEntries(format?: EvidenceFormat): ManifestEntry[] {
  const manifest = JSON.parse(readFileSync(vectorPath('manifest.json'), 'utf8')) as { entries: ManifestEntry[] };
  return format ? manifest.entries.filter((e) => e.format === format) : manifest.entries;
}

/** The entry's collateral files with the manifest's roles. */
export function collateralFor(entry: ManifestEntry): CollateralItem[] {
  return Object.entries(entry.collateral).map(([role, path]) => ({ role, data: readVector(path), source: path }));
}

export function anchorsFrom(paths: string[]): TrustAnchor[] {
  return paths.flatMap((p) => {
    const anchors = classifyAnchors(readVector(p));
    if (!anchors) throw new Error(`anchor file ${p} is not recognised`);
    return anchors.map((a) => ({ ...a, source: p }));
  });
}

export function optionsFor(entry: ManifestEntry, at: string | null): VerifyOptions {
  return {
    format: entry.format,
    collateral: collateralFor(entry),
    trustAnchors: anchorsFrom(entry.anchors),
    now: new Date(at ?? UNPINNED_TIME),
  };
}

/** Every (time, expected verdict) pair of an entry. */
export function expectations(entry: ManifestEntry): { at: string | null; verified: boolean }[] {
  return [{ at: entry.at, verified: entry.expect.verified }, ...entry.alsoExpect.map((a) => ({ at: a.at, verified: a.verified }))];
}
