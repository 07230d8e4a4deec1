/**
 * Loaded before `ses` (enclave-realm.ts imports it first), so that `ses` captures this as its
 * `Object.freeze`. V8 11 (Node 20) sends every typed-array element store (`bytes[i] = v`) down
 * a slow path, 30 to 100 times slower, once an object on a typed array's prototype chain
 * (Object.prototype, %TypedArray%.prototype, Uint8Array.prototype, ...) was frozen by the
 * native Object.freeze, which is what lockdown() does. Those objects, and only those, are
 * frozen here by ECMA-262's SetIntegrityLevel(O, frozen) in the spec's order (non-extensible
 * first, then every own property): frozen by the spec's definition, Object.isFrozen agrees,
 * only V8's internal shape differs. Everything else keeps the native freeze, because
 * redefining properties one by one on Array.prototype and its iterator turns off V8's
 * spread and iteration fast paths instead.
 * The price, measured on Node 20.20 after lockdown(): Uint8Array stores 6 ns instead of 180 ns;
 * typed-array subarray()/slice() about 75 ns slower (V8's species check no longer holds, as
 * their `constructor` was redefined). Stores into Buffers (a subclass) stay on the slow path
 * either way: Node's FastBuffer prototype is checked through Array.prototype's state.
 */
const nativeFreeze = Object.freeze;

const typedArrayPrototypeChain: ReadonlySet<object> = new Set([
  Object.prototype,
  Object.getPrototypeOf(Uint8Array.prototype) as object,
  ...[Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array].map(
    (constructor) => constructor.prototype as object,
  ),
]);

function setIntegrityLevelFrozen(object: object): void {
  if (!Reflect.preventExtensions(object)) throw new TypeError('Cannot freeze: the object refused to become non-extensible');
  for (const key of Reflect.ownKeys(object)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(object, key);
    if (descriptor === undefined) continue;
    const accessor = 'get' in descriptor || 'set' in descriptor;
    if (!Reflect.defineProperty(object, key, accessor ? { configurable: false } : { configurable: false, writable: false })) {
      throw new TypeError(`Cannot freeze: property ${String(key)} cannot be made read-only`);
    }
  }
}

// a method, not a function declaration: no `prototype` property, like the native one
const { freezeForLockdown } = {
  freezeForLockdown<T>(target: T): Readonly<T> {
    if ((typeof target === 'object' || typeof target === 'function') && target !== null && typedArrayPrototypeChain.has(target)) {
      setIntegrityLevelFrozen(target);
      return target;
    }
    return nativeFreeze(target);
  },
};

Object.freeze = freezeForLockdown;

/** The freeze `ses` captured, for tests. */
export const lockdownFreeze = freezeForLockdown;
export { setIntegrityLevelFrozen };

/** Gives the realm its native Object.freeze back; `ses` keeps the one it captured. */
export function restoreNativeFreeze(): void {
  Object.freeze = nativeFreeze;
}
