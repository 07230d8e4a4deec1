/**
 * fast-check arbitraries that build valid EDL files from the grammar: structs (nested, fixed
 * arrays, deep-copied members), unions, enums, ecalls and ocalls with every parameter kind.
 */
import fc from 'fast-check';

const SCALARS = [
  'char', 'unsigned char', 'short', 'unsigned short', 'int', 'unsigned int', 'long', 'unsigned long', 'long long',
  'unsigned long long', 'float', 'double', 'int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t', 'uint16_t', 'uint32_t',
  'uint64_t', 'size_t', 'wchar_t', 'unsigned', 'signed char', 'short int', 'long int',
];
const INTS = ['int', 'unsigned int', 'size_t', 'uint32_t', 'uint8_t', 'int64_t', 'uint16_t', 'long'];
/** Names that are reserved in JavaScript but fine in C: the generator must rename them. */
const JS_WORDS = ['delete', 'new', 'class', 'function', 'var', 'this', 'default', 'in_', 'value', 'constructor', 'toString'];

export interface EdlSpec {
  text: string;
  ecalls: number;
}

const scalar = fc.constantFrom(...SCALARS);
const dims = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 2 }).map((d) => d.map((n) => `[${n}]`).join(''));

/** A whole EDL file. */
export const edlFile: fc.Arbitrary<EdlSpec> = fc
  .record({
    structs: fc.array(
      fc.record({
        members: fc.array(fc.record({ kind: fc.constantFrom('scalar', 'array', 'nested', 'deep', 'deepStruct', 'handle'), type: scalar, dims, bufType: fc.constantFrom('uint8_t', 'int32_t', 'double', 'char') }), { minLength: 1, maxLength: 5 }),
      }),
      { maxLength: 3 },
    ),
    enums: fc.array(fc.array(fc.option(fc.integer({ min: -5, max: 100 }), { nil: undefined }), { minLength: 1, maxLength: 4 }), { maxLength: 2 }),
    union: fc.boolean(),
    ecalls: fc.array(
      fc.record({
        public: fc.boolean(),
        switchless: fc.boolean(),
        ret: fc.constantFrom('void', 'int', 'uint64_t', 'double', 'enum', 'struct', 'ptr'),
        params: fc.array(fc.record({ kind: fc.integer({ min: 0, max: 13 }), type: scalar, int: fc.constantFrom(...INTS), word: fc.constantFrom(...JS_WORDS), useWord: fc.boolean(), n: fc.integer({ min: 1, max: 8 }) }), { maxLength: 6 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    ocalls: fc.array(fc.record({ errno: fc.boolean(), params: fc.array(fc.integer({ min: 0, max: 13 }), { maxLength: 3 }), allow: fc.boolean() }), { maxLength: 3 }),
    stdlib: fc.constantFrom('', 'secgear_tstdc.edl', 'secgear_tprotected_fs.edl', 'secgear_tswitchless.edl'),
  })
  .map((r) => {
    const out: string[] = ['enclave {', '    include "secgear_urts.h"'];
    if (r.stdlib) out.push(`    from "${r.stdlib}" import *;`);
    const structNames: string[] = [];
    const deepStructs = new Set<string>();
    r.structs.forEach((s, si) => {
      const name = `S${si}`;
      const members: string[] = [];
      s.members.forEach((m, mi) => {
        const id = `m${mi}`;
        switch (m.kind) {
          case 'scalar':
            members.push(`${m.type} ${id};`);
            break;
          case 'array':
            members.push(`${m.type} ${id}${m.dims || '[2]'};`);
            break;
          case 'nested':
            if (structNames.length) members.push(`struct ${structNames[mi % structNames.length]} ${id}${m.dims};`);
            else members.push(`${m.type} ${id};`);
            break;
          case 'deep':
            members.push(`size_t ${id}_n;`, `[count=${id}_n] ${m.bufType} *${id};`);
            deepStructs.add(name);
            break;
          case 'deepStruct':
            if (structNames.length) {
              members.push(`uint32_t ${id}_n;`, `[count=${id}_n] struct ${structNames[0]} *${id};`);
              deepStructs.add(name);
            } else members.push(`double ${id};`);
            break;
          case 'handle':
            members.push(`void *${id};`);
            break;
        }
      });
      out.push(`    struct ${name} { ${members.join(' ')} };`);
      structNames.push(name);
    });
    const enumNames = r.enums.map((items, ei) => {
      const name = `E${ei}`;
      out.push(`    enum ${name} { ${items.map((v, i) => (v === undefined ? `${name}_${i}` : `${name}_${i} = ${v}`)).join(', ')} };`);
      return name;
    });
    if (r.union) out.push('    union U0 { int32_t a; double b; uint64_t c; };');
    const plainStruct = structNames.find((s) => !deepStructs.has(s));
    const anyStruct = structNames[0];

    const param = (kind: number, p: { type: string; int: string; n: number; word: string; useWord: boolean }, i: number, sizes: string[]): string[] => {
      const id = p.useWord && i === 0 ? p.word : `p${i}`;
      const len = `${id}_len`;
      switch (kind) {
        case 0:
          return [`${p.type} ${id}`];
        case 1:
          sizes.push(`${p.int} ${len}`);
          return [`[in, size=${len}] uint8_t *${id}`];
        case 2:
          sizes.push(`${p.int} ${len}`);
          return [`[out, count=${len}] int32_t *${id}`];
        case 3:
          sizes.push(`size_t ${len}`);
          return [`[in, out, count=${len} * 2] double *${id}`];
        case 4:
          return [`[in, string] const char *${id}`];
        case 5:
          return [`[in, out, string] char *${id}`];
        case 6:
          return [`[user_check] void *${id}`];
        case 7:
          return [`[in] ${p.type} ${id}[${p.n}]`];
        case 8:
          return enumNames.length ? [`enum ${enumNames[0]} ${id}`] : [`${p.type} ${id}`];
        case 9:
          return anyStruct ? [`[in, count=${p.n}] struct ${anyStruct} *${id}`] : [`[out] ${p.type} *${id}`];
        case 10:
          return plainStruct ? [`struct ${plainStruct} ${id}`] : [`[in, wstring] const wchar_t *${id}`];
        case 11:
          return [`[out] ${p.type} *${id}`];
        case 12:
          return r.union ? [`union U0 ${id}`] : [`[in, size=${p.n * 8}] void *${id}`];
        default:
          return plainStruct ? [`[out] struct ${plainStruct} *${id}`] : [`[in, out] int64_t *${id}`];
      }
    };

    const ecallNames: string[] = [];
    const privates: string[] = [];
    out.push('    trusted {');
    r.ecalls.forEach((e, ei) => {
      const name = `ecall_${ei}`;
      const isPublic = ei === 0 || e.public;
      if (!isPublic) privates.push(name);
      ecallNames.push(name);
      const sizes: string[] = [];
      const params = e.params.flatMap((p, i) => param(p.kind, p, i, sizes));
      const ret = e.ret === 'enum' ? (enumNames[0] ? `enum ${enumNames[0]}` : 'int') : e.ret === 'struct' ? (plainStruct ? `struct ${plainStruct}` : 'double') : e.ret === 'ptr' ? 'char *' : e.ret;
      out.push(`        ${isPublic ? 'public ' : ''}${ret} ${name}(${[...params, ...sizes].join(', ') || 'void'})${e.switchless ? ' transition_using_threads' : ''};`);
    });
    out.push('    };', '    untrusted {');
    r.ocalls.forEach((o, oi) => {
      const sizes: string[] = [];
      const params = o.params.flatMap((k, i) => param(k, { type: 'int', int: 'size_t', n: 2, word: '', useWord: false }, i, sizes));
      const allow = oi === 0 ? privates : o.allow ? ecallNames.slice(0, 1) : [];
      out.push(`        int ocall_${oi}(${[...params, ...sizes].join(', ')})${allow.length ? ` allow(${allow.join(', ')})` : ''}${o.errno ? ' propagate_errno' : ''};`);
    });
    if (r.ocalls.length === 0 && privates.length) out.push(`        void ocall_allow(void) allow(${privates.join(', ')});`);
    out.push('    };', '};', '');
    return { text: out.join('\n'), ecalls: r.ecalls.length };
  });

/** EDL-ish token soup: mostly invalid, exercising every error path of the front end. */
export const tokenSoup: fc.Arbitrary<string> = fc
  .array(
    fc.constantFrom(
      'enclave', 'trusted', 'untrusted', 'public', 'from', 'import', 'include', 'allow', 'struct', 'union', 'enum', 'const',
      'int', 'char', 'void', 'size_t', 'unsigned', 'long', 'double', 'transition_using_threads', 'propagate_errno',
      '{', '}', '(', ')', '[', ']', '*', ',', ';', '=', '+', '-', '/', '%', 'in', 'out', 'size', 'count', 'string',
      'user_check', 'isary', 'isptr', 'sizeof', 'x', 'n', 'f', '"a.edl"', '"secgear_tstdc.edl"', '0', '4', '0x10',
      '\n#define N 4\n', '\n#if 1\n', '\n#endif\n', '/* c */', '// c\n',
    ),
    { maxLength: 60 },
  )
  .map((t) => t.join(' '));
