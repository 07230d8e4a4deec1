// Untrusted side: starts two enclaves, relays a local attestation between them, then plays a
// remote verifier: sends a nonce, gets evidence, and verifies it with secgear/attest.
import { randomBytes } from 'node:crypto';
import { createEnclave, toHex, type CreateEnclaveOptions } from 'secgear';
import { verifyEvidence } from 'secgear/attest';
import type { ecalls as AppEcalls } from './app-enclave.js';
import type { ecalls as ServiceEcalls } from './service-enclave.js';

export async function main(appImage: string, serviceImage: string, out: (line: string) => void = console.log, options: CreateEnclaveOptions = {}): Promise<void> {
  const app = await createEnclave<typeof AppEcalls>(appImage, { type: 'sim', ...options });
  const service = await createEnclave<typeof ServiceEcalls>(serviceImage, { type: 'sim', ...options });
  try {
    out(`[1] enclaves created on ${app.info.backend}: app ${toHex(app.info.measurement).slice(0, 16)}..., service ${toHex(service.info.measurement).slice(0, 16)}...`);

    // local attestation: the host only relays opaque bytes between the two enclaves
    const report = await app.ecall.reportFor(await service.ecall.targetInfo(), 'open the vault');
    const admitted = await service.ecall.admit(report, 'open the vault');
    out(`[2] local attestation: the service ${admitted.admitted ? 'admitted' : 'refused'} the app: ${admitted.reason}`);
    const rebound = await service.ecall.admit(report, 'empty the vault');
    out(`[3] the same report with another message: ${rebound.admitted ? 'admitted (this must not happen)' : `refused: ${rebound.reason}`}`);
    const misdirected = await app.ecall.reportFor(await app.ecall.targetInfo(), 'open the vault');
    await service.ecall.admit(misdirected, 'open the vault').then(
      () => out('[4] a report made for another enclave was accepted (this must not happen)'),
      (error: { code?: string }) => out(`[4] a report made for another enclave is refused: ${error.code}`),
    );

    // remote attestation: a verifier's fresh nonce, evidence from inside the app enclave
    const nonce = new Uint8Array(randomBytes(32));
    const { evidence, publicKey } = await app.ecall.evidenceForKey(nonce);
    out(`[5] evidence: ${evidence.mediaType}, ${evidence.data.byteLength} bytes, binding the enclave's public key`);
    // reportData: the evidence must bind exactly this nonce and this key (check `binding`)
    const accepted = await verifyEvidence(evidence, { nonce, reportData: publicKey, allowSimulation: true, policy: { measurements: [app.info.measurement] } });
    const bound = accepted.checks.some((c) => c.check === 'binding' && c.ok);
    out(`    evidence binds the nonce and the enclave public key: ${bound ? 'yes' : 'NO'}`);
    // the runtime built-in every enclave answers without an ecall: the host gives only the nonce
    const builtIn = await verifyEvidence(await app.getEvidence({ nonce }), { nonce, reportData: new Uint8Array(0), allowSimulation: true, policy: { measurements: [app.info.measurement] } });
    out(`    enclave.getEvidence({ nonce }) from the host, no ecall needed: verified ${builtIn.verified}, binds the nonce and no data: ${builtIn.verified}`);
    out(`[6] verifier with allowSimulation: verified ${accepted.verified}, ${accepted.appraisal.status}; tee ${accepted.tee}, svn ${accepted.claims?.svn}`);
    out(`    reason: ${accepted.appraisal.reasons[0]}`);
    const strict = await verifyEvidence(evidence, { nonce });
    out(`[7] verifier without allowSimulation: verified ${strict.verified}, ${strict.appraisal.status}`);
    out(`    reason: ${strict.appraisal.reasons[0]}`);
    const replayed = await verifyEvidence(evidence, { nonce: new Uint8Array(randomBytes(32)), reportData: publicKey, allowSimulation: true });
    out(`[8] the same evidence against another nonce (a replay): verified ${replayed.verified}, failed check ${replayed.failure?.check}`);
  } finally {
    await app.destroy();
    await service.destroy();
  }
  out('[9] enclaves destroyed');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [appImage, serviceImage] = process.argv.slice(2);
  if (!appImage || !serviceImage) {
    console.error('usage: node dist/src/host.js <app.sgimg> <service.sgimg>   (or: npm start)');
    process.exit(1);
  }
  main(appImage, serviceImage).catch((error: unknown) => {
    console.error(error instanceof Error ? `${(error as { code?: string }).code ?? 'error'}: ${error.message}` : error);
    process.exit(1);
  });
}
