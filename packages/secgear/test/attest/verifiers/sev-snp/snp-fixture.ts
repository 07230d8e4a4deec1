/**
 * Synthetic SEV-SNP evidence under a test PKI (ARK → ASK → VCEK, all P-384): a real report's
 * bytes with chosen fields, re-signed by a test VCEK whose AMD extensions the test chooses.
 * Reaches what the real vectors cannot (versions 4/5, Turin, mismatches) and is trusted only
 * when a test passes its ARK as an anchor.
 */
import { sign } from 'node:crypto';
import type { CollateralItem, TrustAnchor } from '../../../../src/attest/types.js';
import { readVector } from '../../../support/paths.js';
import { der, issueCertificate, type TestIdentity } from '../../../support/synthetic-pki.js';

const AMD = '1.3.6.1.4.1.3704.1';

export interface SnpFixtureOptions {
  product?: 'Milan' | 'Genoa' | 'Turin';
  version?: number;
  /** CPUID family/model written at 0x188 (version 3 and later). */
  cpuid?: [number, number, number];
  /** TCB bytes written to current/reported/committed/launch TCB. */
  tcb?: number[];
  /** TCB the VCEK's extensions state: bl, tee, snp, ucode, fmc. */
  vcekTcb?: { bl: number; tee: number; snp: number; ucode: number; fmc?: number };
  chipId?: Uint8Array;
  hwId?: Uint8Array;
  policy?: bigint;
  reportData?: Uint8Array;
  edit?: (report: Uint8Array) => void;
}

export interface SnpFixture {
  report: Uint8Array;
  ark: TestIdentity;
  ask: TestIdentity;
  vcek: TestIdentity;
  collateral: CollateralItem[];
  anchor: TrustAnchor;
}

const pkiCache = new Map<string, Promise<{ ark: TestIdentity; ask: TestIdentity }>>();

function signingKeys(product: string) {
  let entry = pkiCache.get(product);
  if (!entry) {
    entry = (async () => {
      const ark = await issueCertificate({ name: `CN=ARK-${product}, O=secGear test`, ca: true });
      const ask = await issueCertificate({ name: `CN=SEV-${product}, O=secGear test`, issuer: ark, ca: true });
      return { ark, ask };
    })();
    pkiCache.set(product, entry);
  }
  return entry;
}

function u64le(target: Uint8Array, offset: number, value: bigint): void {
  for (let i = 0; i < 8; i++) target[offset + i] = Number((value >> BigInt(8 * i)) & 0xffn);
}

export async function snpFixture(options: SnpFixtureOptions = {}): Promise<SnpFixture> {
  const product = options.product ?? 'Milan';
  const report = Uint8Array.from(readVector('sev-snp/trustee/snp/test-report.bin'));
  report[0] = options.version ?? 2;
  if (options.cpuid) report.set(options.cpuid, 0x188);
  const tcb = options.tcb ?? [3, 0, 0, 0, 0, 0, 8, 115];
  for (const offset of [0x38, 0x180, 0x1e0, 0x1f0]) report.set(tcb, offset);
  const chipId = options.chipId ?? new Uint8Array(64).fill(0xc1);
  report.set(chipId, 0x1a0);
  if (options.policy !== undefined) u64le(report, 0x08, options.policy);
  if (options.reportData) report.set(options.reportData, 0x50);
  options.edit?.(report);

  const t = options.vcekTcb ?? { bl: 3, tee: 0, snp: 8, ucode: 115 };
  const extensions = [
    { oid: `${AMD}.1`, value: der.integer(0) },
    { oid: `${AMD}.2`, value: der.ia5(product) },
    { oid: `${AMD}.3.1`, value: der.integer(t.bl) },
    { oid: `${AMD}.3.2`, value: der.integer(t.tee) },
    { oid: `${AMD}.3.3`, value: der.integer(t.snp) },
    { oid: `${AMD}.3.8`, value: der.integer(t.ucode) },
    ...(t.fmc === undefined ? [] : [{ oid: `${AMD}.3.9`, value: der.integer(t.fmc) }]),
    { oid: `${AMD}.4`, value: der.octets(options.hwId ?? chipId) },
  ];
  const { ark, ask } = await signingKeys(product);
  const vcek = await issueCertificate({ name: 'CN=SEV-VCEK, O=secGear test', issuer: ask, serial: 0, extensions });

  const signature = sign('sha384', report.subarray(0, 0x2a0), { key: vcek.privateKey, dsaEncoding: 'ieee-p1363' });
  report.fill(0, 0x2a0);
  for (let i = 0; i < 48; i++) {
    report[0x2a0 + i] = signature[47 - i];
    report[0x2a0 + 72 + i] = signature[95 - i];
  }
  return {
    report,
    ark,
    ask,
    vcek,
    collateral: [
      { role: 'vcek', data: vcek.der },
      { role: 'askArk', data: ask.der },
    ],
    anchor: { kind: 'x509', der: ark.der },
  };
}
