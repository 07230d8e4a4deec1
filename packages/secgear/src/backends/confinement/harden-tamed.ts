/**
 * Hardens (deep-freezes) objects handed to enclave code without breaking the Node.js code that
 * shares them. Freezing a prototype turns every later `instance.prop = x` for a property the
 * prototype holds into an error (JavaScript's "override mistake"): Node's own classes rely on
 * such assignments (EventEmitter sets `this._events`). So before freezing, each writable data
 * property becomes a getter/setter pair whose setter defines the property on the instance, the
 * way `ses` tames its own intrinsics. Runs in the enclave's isolate after lockdown().
 */

declare const harden: <T>(value: T) => T;

const { defineProperty, getOwnPropertyDescriptors, getPrototypeOf, isFrozen, hasOwn } = Object as ObjectConstructor & {
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

/** Makes the override mistake impossible on everything reachable from `root`, then hardens it. */
export function hardenTamed<T>(root: T): T {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) continue;
    seen.add(value);
    stack.push(getPrototypeOf(value));
    // typed arrays keep their elements writable (harden leaves them so); arrays are not prototypes
    const frozen = isFrozen(value) || ArrayBuffer.isView(value) || Array.isArray(value);
    const descriptors = getOwnPropertyDescriptors(value) as Record<PropertyKey, PropertyDescriptor>;
    for (const key of ownKeys(descriptors)) {
      const d = descriptors[key as string];
      if ('value' in d) {
        stack.push(d.value);
        // `prototype` of a function and values of frozen objects stay as they are
        if (!frozen && d.writable && d.configurable && key !== 'prototype') overridable(value, key, d.value, d.enumerable);
      } else {
        stack.push(d.get, d.set);
      }
    }
  }
  return harden(root);
}
