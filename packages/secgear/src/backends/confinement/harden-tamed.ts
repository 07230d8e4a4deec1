/**
 * Hardens (deep-freezes) objects handed to enclave code without breaking the Node.js code that
 * shares them. Freezing a prototype turns every later `instance.prop = x` for a property the
 * prototype holds into an error (JavaScript's "override mistake"), and Node's own classes rely
 * on such assignments (EventEmitter sets `this._events`). So each writable data property
 * becomes a getter/setter pair whose setter defines the property on the instance, the way `ses`
 * tames its own intrinsics; then the object is frozen. A writable property that cannot be
 * redefined (non-configurable) stays writable only when it holds a primitive (EventEmitter's
 * capture flag): a changed primitive hands nobody a function or an object. Runs in the
 * enclave's isolate after lockdown(), whose intrinsics are already hardened.
 */

const { defineProperty, getOwnPropertyDescriptor, getOwnPropertyDescriptors, getPrototypeOf, isFrozen, preventExtensions, hasOwn } = Object as ObjectConstructor & {
  hasOwn(o: object, key: PropertyKey): boolean;
};
const { ownKeys } = Reflect;

function overridable(target: object, key: PropertyKey, value: unknown, enumerable: boolean | undefined): void {
  defineProperty(target, key, {
    get: function get() {
      return value;
    },
    set: function set(this: object, next: unknown) {
      if (this === target) throw new TypeError(`Cannot assign to read only property '${String(key)}' of a hardened object`);
      if (hasOwn(this, key)) (this as Record<PropertyKey, unknown>)[key] = next;
      else defineProperty(this, key, { value: next, writable: true, enumerable: true, configurable: true });
    },
    enumerable,
    configurable: false,
  });
}

const isObject = (v: unknown): v is object => (typeof v === 'object' || typeof v === 'function') && v !== null;

/**
 * Freezes everything reachable from `root` (own properties, accessors, prototypes). Only objects
 * that serve as prototypes get the getter/setter treatment: elsewhere (namespaces like `Atomics`,
 * facade objects) plain frozen data properties keep hot paths fast.
 */
export function hardenTamed<T>(root: T): T {
  const reachable: object[] = [];
  const seen = new Set<object>();
  const prototypes = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    // frozen objects are lockdown's intrinsics or ours from an earlier call: hardened already
    if (!isObject(value) || seen.has(value) || isFrozen(value)) continue;
    seen.add(value);
    reachable.push(value);
    const proto = getPrototypeOf(value);
    if (proto !== null) {
      prototypes.add(proto);
      stack.push(proto);
    }
    for (const key of ownKeys(value)) {
      const d = getOwnPropertyDescriptor(value, key) as PropertyDescriptor;
      if ('value' in d) {
        stack.push(d.value);
        if (key === 'prototype' && isObject(d.value)) prototypes.add(d.value);
      } else {
        stack.push(d.get, d.set);
      }
    }
  }
  for (const value of reachable) {
    // functions are prototypes of their subclasses' constructors (static inheritance)
    const tamed = (prototypes.has(value) || typeof value === 'function') && !Array.isArray(value) && !ArrayBuffer.isView(value);
    const view = ArrayBuffer.isView(value); // elements of typed arrays cannot be frozen
    const descriptors = getOwnPropertyDescriptors(value) as Record<PropertyKey, PropertyDescriptor>;
    for (const key of ownKeys(descriptors)) {
      const d = descriptors[key as string];
      if (!('value' in d)) {
        if (d.configurable) defineProperty(value, key, { configurable: false });
        continue;
      }
      if (view && typeof key === 'string' && /^\d+$/.test(key)) continue;
      if (tamed && d.writable && d.configurable && key !== 'prototype') {
        overridable(value, key, d.value, d.enumerable);
      } else if (d.writable && !d.configurable && !isObject(d.value)) {
        // left writable: see above
      } else if (d.writable || d.configurable) {
        defineProperty(value, key, { writable: false, configurable: false });
      }
    }
    preventExtensions(value);
  }
  return root;
}
