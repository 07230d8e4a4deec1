/**
 * Gramine's `/dev/attestation` (SGX, Gramine ≥ 1.6.1) as a fixture, with Gramine's rules:
 * `user_report_data` and `target_info` are saved at close, zero-padded when shorter and cut
 * when longer than their size; `quote`, `report` and `my_target_info` are computed at open
 * from what was saved then; the keys are 16 bytes. Quotes come from `quoteFor` (a synthetic
 * quote under a test PKI, or a recorded one).
 */
import { createHash, createHmac } from 'node:crypto';
import { FixtureFilePort } from './fixture-file-port.js';

export interface GramineFixtureOptions {
  /** The quote for the saved 64 bytes of report data. */
  quoteFor(reportData: Uint8Array): Uint8Array;
  mrEnclave?: Uint8Array;
  mrSigner?: Uint8Array;
  /** Per-"CPU" secret the seal keys are derived from (change it to model a CPU SVN change). */
  cpuSecret?: Uint8Array;
  attestationType?: string;
  dir?: string;
}

export interface GramineFixture {
  port: FixtureFilePort;
  /** The report data saved now (what the next quote will carry). */
  savedReportData(): Uint8Array;
}

const pad = (data: Uint8Array, size: number) => {
  const out = new Uint8Array(size);
  out.set(data.subarray(0, size));
  return out;
};

export function gramineFixture(options: GramineFixtureOptions, port = new FixtureFilePort()): GramineFixture {
  const dir = options.dir ?? '/dev/attestation';
  const mrEnclave = options.mrEnclave ?? new Uint8Array(32).fill(0xe1);
  const mrSigner = options.mrSigner ?? new Uint8Array(32).fill(0x51);
  const cpu = options.cpuSecret ?? new Uint8Array(32).fill(0xc9);
  let reportData = new Uint8Array(64);
  let targetInfo = new Uint8Array(512);
  port.addFile(`${dir}/attestation_type`, { load: () => new TextEncoder().encode(options.attestationType ?? 'dcap') });
  port.addFile(`${dir}/user_report_data`, { save: (data) => void (reportData = pad(data, 64)) });
  port.addFile(`${dir}/target_info`, { save: (data) => void (targetInfo = pad(data, 512)) });
  port.addFile(`${dir}/quote`, { load: () => options.quoteFor(reportData.slice()) });
  port.addFile(`${dir}/my_target_info`, {
    load: () => {
      const info = new Uint8Array(512);
      info.set(mrEnclave, 0); // TARGETINFO.MEASUREMENT at 0
      return info;
    },
  });
  port.addFile(`${dir}/report`, {
    load: () => {
      // an SGX REPORT: body (384), key id (32), MAC (16) keyed per target
      const report = new Uint8Array(432);
      report.set(mrEnclave, 64);
      report.set(mrSigner, 128);
      report.set(reportData, 320);
      const mac = createHmac('sha256', cpu).update(targetInfo.subarray(0, 32)).update(report.subarray(0, 384)).digest();
      report.set(mac.subarray(0, 16), 416);
      return report;
    },
  });
  for (const [name, identity] of [['_sgx_mrenclave', mrEnclave], ['_sgx_mrsigner', mrSigner]] as const) {
    port.addFile(`${dir}/keys/${name}`, { load: () => new Uint8Array(createHash('sha256').update(cpu).update(name).update(identity).digest().subarray(0, 16)) });
  }
  return { port, savedReportData: () => reportData.slice() };
}
