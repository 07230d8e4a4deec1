import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { bytesEqual, toHex } from '../../../src/common/bytes.js';
import { certificatesFrom } from '../../../src/attest/pki/chain.js';
import { AMD_CERTIFICATES, sevSnpVerifier } from '../../../src/attest/verifiers/sev-snp/index.js';
import { AWS_NITRO_ROOT_G1, AWS_NITRO_ROOT_G1_SHA256, nitroVerifier } from '../../../src/attest/verifiers/nitro/index.js';
import { ccaVerifier } from '../../../src/attest/verifiers/cca/index.js';
import { virtCcaVerifier } from '../../../src/attest/verifiers/virtcca/index.js';
import { readVector } from '../../support/paths.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('built-in trust anchors', () => {
  it('embeds the AMD ARK/ASK/ASVK certificates byte for byte, with the pinned hashes, each ASK/ASVK signed by its ARK', () => {
    // the DER hashes published in ../shared/vectors/roots/SOURCES.md
    const pinned: Record<string, string> = {
      'Milan ark': '69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd',
      'Milan ask': '67d303bd3905fd38db8b20e0793699870e7fa612eaad5dec358293fd8c0bac1b',
      'Milan asvk': 'c5e081f59b7efab1fe2f8b505e159704e72f29cab7ef7cf628a05a42439082f5',
      'Genoa ark': '4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1',
      'Genoa ask': '5464738c1546aed5f2cecf1dc98c5c960a92e8913238a61711bc90ec6e828521',
      'Genoa asvk': '197e610743a917d6b9bb982a5a9226ccc0a15b611be0619e626aca9151457372',
      'Turin ark': '1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a',
      'Turin ask': '5b77ef5fe7a7a004fd9032668fba9d0fda22f88c4442069a479636a6ae3b3185',
      'Turin asvk': '104e10a8bd060a3c20a434261a57d0588fd65a88915b4f65b08bdecaf8df1a3c',
    };
    assert.equal(AMD_CERTIFICATES.length, 9);
    for (const c of AMD_CERTIFICATES) {
      assert.equal(sha256(c.der), pinned[`${c.product} ${c.role}`], `${c.product} ${c.role}`);
      assert.equal(sha256(c.der), c.sha256);
      const file = certificatesFrom(readVector(`roots/amd-sev/trustee/${c.product.toLowerCase()}_ask_ark_asvk.pem`));
      assert.ok(file.some((d) => bytesEqual(d, c.der)), `${c.product} ${c.role} is in the vector file`);
      const cert = new X509Certificate(Buffer.from(c.der));
      const ark = new X509Certificate(Buffer.from(AMD_CERTIFICATES.find((a) => a.product === c.product && a.role === 'ark')!.der));
      assert.ok(cert.verify(ark.publicKey), `${c.product} ${c.role} is signed by its ARK`);
      const cn = { ark: `ARK-${c.product}`, ask: `SEV-${c.product}`, asvk: `SEV-VLEK-${c.product}` }[c.role];
      assert.match(cert.subject, new RegExp(`CN=${cn}$`));
    }
  });

  it('embeds the AWS Nitro Enclaves Root G1 byte for byte with the pinned hash', () => {
    assert.equal(sha256(AWS_NITRO_ROOT_G1), AWS_NITRO_ROOT_G1_SHA256);
    assert.equal(AWS_NITRO_ROOT_G1_SHA256, '641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b');
    assert.ok(bytesEqual(certificatesFrom(readVector('roots/aws-nitro/blindai_aws_nitro_enclaves_rootca.pem'))[0], AWS_NITRO_ROOT_G1));
  });

  it('recognises anchor and collateral files by content', () => {
    const ark = sevSnpVerifier.classifyAnchor!(readVector('roots/amd-sev/virtee-sev/genoa/ark.pem'));
    assert.equal(ark?.kind, 'x509');
    assert.equal(sevSnpVerifier.classifyAnchor!(readVector('roots/amd-sev/virtee-sev/genoa/ask.pem')), null);
    assert.equal(sevSnpVerifier.classifyCollateral!(readVector('sev-snp/go-sev-guest/vcek.testcer')), 'vcek');
    assert.equal(sevSnpVerifier.classifyCollateral!(readVector('sev-snp/trustee/snp/test-vlek.der')), 'vlek');
    assert.equal(sevSnpVerifier.classifyCollateral!(readVector('sev-snp/trustee/az-snp-vtpm/vcek.pem')), 'vcek');
    assert.equal(sevSnpVerifier.classifyCollateral!(readVector('roots/amd-sev/go-sev-guest/ask_ark_milan.pem')), 'askArk');
    assert.equal(nitroVerifier.classifyAnchor!(readVector('roots/aws-nitro/blindai_aws_nitro_enclaves_rootca.pem'))?.kind, 'x509');
    assert.equal(nitroVerifier.classifyAnchor!(readVector('roots/amd-sev/virtee-sev/genoa/ark.pem')), null);
    const jwk = ccaVerifier.classifyAnchor!(readVector('arm-cca/secgear/cpak.json'));
    const pem = ccaVerifier.classifyAnchor!(readVector('arm-cca/veraison-ccatoken/realm/testvectors/tf-rmm/cca_platform.pub'));
    assert.equal(jwk?.kind, 'jwk');
    assert.deepEqual(jwk, pem); // the same test CPAK in two encodings
    const privateJwk = new TextEncoder().encode(JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8', y: 'IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX4', d: 'V8kgd2ZBRuh2dgyVINBUqpPDr7BOMGcF22CQMIUHtNM' }));
    assert.equal(ccaVerifier.classifyAnchor!(privateJwk), null, 'a private key file is never an anchor');
    assert.equal(virtCcaVerifier.classifyCollateral!(readVector('arm-cca/secgear/virtcca_aik_cert.der')), 'aikCert');
    assert.equal(virtCcaVerifier.classifyCollateral!(readVector('arm-cca/secgear/Huawei_IT_Product_CA.pem')), 'aikChain');
    assert.equal(toHex((virtCcaVerifier.classifyAnchor!(readVector('arm-cca/secgear/Huawei_Equipment_Root_CA.pem')) as { der: Uint8Array }).der).slice(0, 4), '3082');
  });
});
