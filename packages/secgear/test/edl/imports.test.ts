import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STD_LIBRARY } from '../../src/edl/index.js';
import { assertError, memFs, parse, parseErrors } from './support.js';

const names = (fns: { name: string }[]) => fns.map((f) => f.name).sort();

const LIB = {
  '/lib/common.edl': `enclave {
    struct Msg { size_t n; [size=n] uint8_t *data; };
    trusted { public void lib_ecall([in] struct Msg *m); int lib_private(void); };
    untrusted { void lib_log([in, string] const char *s) allow(lib_private); void lib_other(void); };
  };`,
  '/lib/deep.edl': `enclave {
    from "common.edl" import *;
    untrusted { void deep_ocall(void); };
  };`,
  '/lib/named.edl': `enclave {
    from "common.edl" import lib_log;
    trusted { public void named_ecall(void); };
  };`,
};

test('imports: from "x" import * brings functions and types, following the file\'s own imports', () => {
  const { model } = parse('enclave { from "deep.edl" import *; trusted { public void f([in] struct Msg *m); }; };', { fs: memFs(LIB), searchPath: ['/lib'] });
  assert.deepEqual(names(model.ecalls), ['f', 'lib_ecall', 'lib_private']);
  assert.deepEqual(names(model.ocalls), ['deep_ocall', 'lib_log', 'lib_other']);
  assert.deepEqual(model.types.map((t) => t.name), ['Msg']);
  assert.deepEqual(model.files, ['/edl/test.edl', '/lib/deep.edl', '/lib/common.edl']);
});

test('imports: import f1, f2 takes only the named functions, found through nested imports too', () => {
  const { model } = parse('enclave { from "deep.edl" import lib_ecall, deep_ocall; trusted { public void f(); }; };', { fs: memFs(LIB), searchPath: ['/lib'] });
  assert.deepEqual(names(model.ecalls), ['f', 'lib_ecall']);
  assert.deepEqual(names(model.ocalls), ['deep_ocall']);
  // the struct the imported ecall uses comes along
  assert.deepEqual(model.types.map((t) => t.name), ['Msg']);
});

test('imports: a file reached twice (diamond) contributes its declarations once', () => {
  const { model } = parse('enclave { from "deep.edl" import *; from "common.edl" import *; from "named.edl" import *; };', { fs: memFs(LIB), searchPath: ['/lib'] });
  assert.deepEqual(names(model.ecalls), ['lib_ecall', 'lib_private', 'named_ecall']);
  assert.deepEqual(names(model.ocalls), ['deep_ocall', 'lib_log', 'lib_other']);
});

test('imports: the importing file\'s folder is searched first, then the search path in order', () => {
  const fs = memFs({
    '/edl/local.edl': 'enclave { trusted { public void from_local(); }; };',
    '/a/local.edl': 'enclave { trusted { public void from_a(); }; };',
    '/a/only_a.edl': 'enclave { trusted { public void only_a(); }; };',
    '/b/only_a.edl': 'enclave { trusted { public void only_b(); }; };',
  });
  const { model } = parse('enclave { from "local.edl" import *; from "only_a.edl" import *; };', { fs, searchPath: ['/a', '/b'] });
  assert.deepEqual(names(model.ecalls), ['from_local', 'only_a']);
  const abs = parse('enclave { from "/b/only_a.edl" import *; };', { fs, searchPath: [] });
  assert.deepEqual(names(abs.model.ecalls), ['only_b']);
});

test('imports: cycles are detected and named', () => {
  const fs = memFs({
    '/edl/a.edl': 'enclave { from "b.edl" import *; trusted { public void a(); }; };',
    '/edl/b.edl': 'enclave { from "a.edl" import *; };',
  });
  const d = assertError(parseErrors('enclave { from "a.edl" import *; };', { fs }), /import cycle: a\.edl -> b\.edl -> a\.edl/);
  assert.equal(d.loc.file, '/edl/b.edl');
  assert.equal(d.kind, 'import');
  const self = memFs({ '/edl/self.edl': 'enclave { from "self.edl" import *; trusted { public void s(); }; };' });
  assertError(parseErrors('enclave { from "self.edl" import *; };', { fs: self }), /import cycle: self\.edl -> self\.edl/);
  // the root importing itself
  assertError(parseErrors('enclave { from "test.edl" import *; trusted { public void f(); }; };', { fs: memFs({ '/edl/test.edl': 'enclave { from "test.edl" import *; trusted { public void f(); }; };' }) }), /import cycle/);
});

test('imports: a missing file or function is an import error at the import', () => {
  assertError(parseErrors('enclave {\n  from "nope.edl" import *;\n  trusted { public void f(); };\n};', { fs: memFs({}), searchPath: ['/x'] }), /cannot find imported file "nope\.edl"/, 2, 3);
  const d = assertError(parseErrors('enclave { from "common.edl" import lib_log, nope; trusted { public void f(); }; };', { fs: memFs(LIB), searchPath: ['/lib'] }), /function 'nope' is not declared in "common\.edl"/);
  assert.equal(d.loc.col, 45);
  // an imported file's own errors point into that file
  const bad = memFs({ '/edl/bad.edl': 'enclave {\n  trusted { public void g([in] void *p); };\n};' });
  const e = assertError(parseErrors('enclave { from "bad.edl" import *; trusted { public void f(); }; };', { fs: bad }), /void pointer 'p'/, 2);
  assert.equal(e.loc.file, '/edl/bad.edl');
  const syntax = memFs({ '/edl/syn.edl': 'enclave { oops };' });
  assert.equal(assertError(parseErrors('enclave { from "syn.edl" import *; trusted { public void f(); }; };', { fs: syntax }), /unexpected identifier 'oops'/).loc.file, '/edl/syn.edl');
});

test('imports: the built-in standard library resolves after the search path; its ocalls are marked std', () => {
  for (const file of Object.keys(STD_LIBRARY)) {
    const { model } = parse(`enclave { include "secgear_urts.h" from "${file}" import *; trusted { public void f(); }; };`);
    for (const o of model.ocalls) assert.equal(o.std, true, `${file}: ${o.name}`);
  }
  const std = parse('enclave { from "secgear_tstdc.edl" import *; from "secgear_tprotected_fs.edl" import *; trusted { public void f(); }; };').model;
  assert.deepEqual(names(std.ocalls), ['sg_ocall_pfs_read', 'sg_ocall_pfs_remove', 'sg_ocall_pfs_size', 'sg_ocall_pfs_write', 'sg_ocall_print_string', 'sg_ocall_sleep_ms', 'sg_ocall_time_ms']);
  assert.deepEqual(std.includes, []);
  const tssl = parse('enclave { from "secgear_tssl.edl" import *; trusted { public void f(); }; };').model;
  assert.deepEqual(names(tssl.ocalls), ['sg_ocall_time_ms']);
  // a file of the same name on the search path wins over the built-in one
  const own = parse('enclave { from "secgear_tstdc.edl" import *; trusted { public void f(); }; };', {
    fs: memFs({ '/mine/secgear_tstdc.edl': 'enclave { untrusted { void my_print(); }; };' }),
    searchPath: ['/mine'],
  }).model;
  assert.deepEqual(names(own.ocalls), ['my_print']);
  assert.equal(own.ocalls[0].std, false);
});

test('imports: declarations that clash across files are reported', () => {
  const fs = memFs({ '/edl/other.edl': 'enclave { struct Msg { int a; }; trusted { public void f(); }; };' });
  assertError(parseErrors('enclave { from "other.edl" import *; struct Msg { int b; }; trusted { public void f(); }; };', { fs }), /multiple definition of function 'f'/);
  assertError(parseErrors('enclave { from "other.edl" import *; struct Msg { int b; }; trusted { public void g(); }; };', { fs }), /duplicated structure definition 'Msg'/);
});
