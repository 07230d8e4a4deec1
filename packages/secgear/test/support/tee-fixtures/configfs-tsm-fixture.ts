/**
 * The Linux configfs-tsm report interface as a fixture, with the kernel's rules: mkdir under
 * the report folder creates an entry; `inblob` (and `privlevel`) are applied when the file is
 * closed and each applied write advances `generation` by one; the report is built on the first
 * read of `outblob` after a change and cached until the next write; `auxblob` comes with it;
 * `provider` names the TEE. `concurrentWrite()` models another writer on an entry.
 */
import { FixtureFilePort } from './fixture-file-port.js';

export interface TsmFixtureOptions {
  provider: 'tdx_guest' | 'sev_guest' | 'arm_cca_guest';
  /** The report for an inblob (and privlevel): synthetic, or a recorded one. */
  outblobFor(inblob: Uint8Array, privlevel: number): Uint8Array;
  auxblob?: Uint8Array;
  dir?: string;
}

export interface TsmFixture {
  port: FixtureFilePort;
  /** How many reports were generated (built on outblob reads). */
  reportsBuilt(): number;
  /** The next entry created gets one extra write from "someone else" right after our inblob write. */
  concurrentWriteOnNextEntry(): void;
}

export function configfsTsmFixture(options: TsmFixtureOptions, port = new FixtureFilePort()): TsmFixture {
  const dir = options.dir ?? '/sys/kernel/config/tsm/report';
  let built = 0;
  let interfere = false;
  port.onMkdir(dir, (entry) => {
    let writeGeneration = 0;
    let readGeneration = -1;
    let inblob = new Uint8Array(0);
    let privlevel = 0;
    let cached: { outblob: Uint8Array; auxblob: Uint8Array } = { outblob: new Uint8Array(0), auxblob: new Uint8Array(0) };
    const racing = interfere;
    interfere = false;
    const refresh = () => {
      if (readGeneration === writeGeneration) return;
      cached = { outblob: options.outblobFor(inblob.slice(), privlevel), auxblob: options.auxblob ?? new Uint8Array(0) };
      readGeneration = writeGeneration;
      built++;
    };
    port.addFile(`${entry}/inblob`, {
      save: (data) => {
        if (data.byteLength > 64) throw Object.assign(new Error('EINVAL'), { code: 'EINVAL' });
        inblob = data.slice();
        writeGeneration++;
        if (racing) writeGeneration++;
      },
    });
    port.addFile(`${entry}/privlevel`, {
      save: (data) => {
        const value = Number(new TextDecoder().decode(data).trim());
        if (!Number.isInteger(value) || value < 0 || value > 3) throw Object.assign(new Error('EINVAL'), { code: 'EINVAL' });
        privlevel = value;
        writeGeneration++;
      },
    });
    port.addFile(`${entry}/generation`, { load: () => new TextEncoder().encode(`${writeGeneration}\n`) });
    port.addFile(`${entry}/provider`, { load: () => new TextEncoder().encode(`${options.provider}\n`) });
    port.addFile(`${entry}/outblob`, {
      load: () => {
        refresh();
        return cached.outblob;
      },
    });
    if (options.provider === 'sev_guest') {
      port.addFile(`${entry}/auxblob`, {
        load: () => {
          refresh();
          return cached.auxblob;
        },
      });
    }
  });
  return {
    port,
    reportsBuilt: () => built,
    concurrentWriteOnNextEntry: () => void (interfere = true),
  };
}
