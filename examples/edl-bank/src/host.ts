// Untrusted side: opens accounts, moves money (reviewing large transfers when the enclave
// asks), prints a statement, queries balances switchless, redacts a ticket, and shows that
// values that break the EDL never reach the enclave. Run with `npm start`.
import { createEnclave, isSecGearError, loadImage } from 'secgear';
import { balance_of, createOcallTable, open_account, pending_amount, redact, statement, transfer, type Transfer } from './bank_u.js';

const memo = (text: string): Pick<Transfer, 'memo' | 'memo_len'> => {
  const bytes = new TextEncoder().encode(text);
  return { memo: bytes, memo_len: BigInt(bytes.length) };
};

export async function main(imagePath: string, out: (line: string) => void = console.log): Promise<void> {
  const image = await loadImage(imagePath);
  out(`[1] image verified: ${image.manifest.name}, EDL hash ${image.manifest.edlHash?.slice(0, 16)}...`);
  out(`    ecalls: ${image.manifest.ecalls.map((e) => `${e.name}${e.public === false ? ' (private)' : ''}${e.switchless ? ' (switchless)' : ''}`).join(', ')}`);

  // the enclave must be known before the review ocall can call back into it
  let enclave: Awaited<ReturnType<typeof createEnclave>> | null = null;
  const ocalls = createOcallTable({
    async review_transfer(text, ticket) {
      const amount = await pending_amount(enclave!, ticket);
      const ok = amount <= 5000n && !/suspicious/i.test(text);
      out(`[3] ocall review_transfer: ticket ${ticket}, amount ${amount}, memo "${text}" -> ${ok ? 'approved' : 'refused'}`);
      return ok ? 'OK' : 'REFUSED';
    },
    sg_ocall_print_string: (line) => out(`    enclave says: ${line}`),
  });
  enclave = await createEnclave(imagePath, { type: 'sim', ocalls, expect: { measurement: image.measurement } });
  out(`[2] enclave created on ${enclave.info.backend}`);

  const alice = await open_account(enclave, 'Alice Æbelø', 3000n);
  const bob = await open_account(enclave, 'Bob', 100n);

  const small = await transfer(enclave, { payer: alice, payee: bob, amount: 250n, ...memo('rent') });
  const large = await transfer(enclave, { payer: alice, payee: bob, amount: 1500n, ...memo('car') });
  const odd = await transfer(enclave, { payer: bob, payee: alice, amount: 1200n, ...memo('suspicious refund') });
  const broke = await transfer(enclave, { payer: bob, payee: alice, amount: 9999n, ...memo('too much') });
  out(`[4] transfers: 250 -> ${small}, 1500 -> ${large}, 1200 -> ${odd}, 9999 -> ${broke}`);

  const s = await statement(enclave, alice, 4, { timeoutMs: 10_000 });
  const owner = new TextDecoder().decode(s.account.owner.subarray(0, s.account.owner.indexOf(0)));
  out(`[5] statement ${s.retval}: ${owner}, balance ${s.account.balance}, last ${s.count}: ${[...s.history.subarray(0, s.count)].join(', ')}`);

  let total = 0n;
  for (let i = 0; i < 1000; i++) total += await balance_of(enclave, i % 2 === 0 ? alice : bob);
  out(`[6] 1000 switchless balance queries, sum ${total}; calls: ${JSON.stringify(enclave.stats())}`);

  const ticket = new TextEncoder().encode('card 4111 1111 1111 1111, account 42');
  const r = await redact(enclave, ticket);
  out(`[7] redacted ${r.retval} digits in place: "${new TextDecoder().decode(r.text)}"`);

  try {
    await open_account(enclave, 'Mallory\0admin', 1n);
  } catch (error) {
    out(`[8] a string with NUL is refused: ${isSecGearError(error) ? error.code : 'error'}`);
  }
  try {
    await pending_amount(enclave, 1);
  } catch (error) {
    out(`[9] the private ecall from outside its ocall is refused: ${isSecGearError(error) ? error.code : 'error'}`);
  }
  await enclave.destroy();
  out('[10] enclave destroyed');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const imagePath = process.argv[2];
  if (!imagePath) {
    console.error('usage: node dist/src/host.js <image.sgimg>   (or: npm start)');
    process.exit(1);
  }
  main(imagePath).catch((error: unknown) => {
    console.error(error instanceof Error ? `${(error as { code?: string }).code ?? 'error'}: ${error.message}` : error);
    process.exit(1);
  });
}
