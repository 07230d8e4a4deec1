/**
 * Node keeps native handles (crypto's Hash, Cipher, KeyObject... handles) under module-private
 * symbols: `hash[kHandle]`. A native handle called with the wrong arguments fails a C++ CHECK,
 * which aborts the whole process (for `sim`, the host). Enclave code may hold Node's objects,
 * so it must never learn those symbols. Run in the enclave isolate before lockdown():
 *  - the reflective functions that list symbol keys (Object.getOwnPropertySymbols,
 *    Object.getOwnPropertyDescriptors, Reflect.ownKeys) leave out hidden symbols;
 *  - Proxy traps never see a hidden key (Node's code reading `proxy[kHandle]` would hand the
 *    key to enclave code): such operations go straight to the target;
 *  - the compartment's `Symbol` records the symbols enclave code makes.
 * A symbol is hidden unless it is well-known (Symbol.iterator...), registered (Symbol.for), or
 * made by enclave code.
 */

type Key = string | symbol;

export interface SymbolHiding {
  /** The `Symbol` for the compartment: records what enclave code creates. */
  enclaveSymbol: SymbolConstructor;
}

export function hideNodeSymbols(): SymbolHiding {
  const RealSymbol = Symbol;
  const RealProxy = Proxy;
  const realRevocable = Proxy.revocable.bind(Proxy);
  const wellKnown = new Set(
    Object.getOwnPropertyNames(RealSymbol)
      .map((name) => (RealSymbol as unknown as Record<string, unknown>)[name])
      .filter((v): v is symbol => typeof v === 'symbol'),
  );
  const made = new WeakSet<symbol>() as unknown as { add(s: symbol): void; has(s: symbol): boolean };
  const { keyFor } = RealSymbol;
  const hidden = (key: unknown): key is symbol => typeof key === 'symbol' && !wellKnown.has(key) && keyFor(key) === undefined && !made.has(key);
  const visible = (key: Key) => !hidden(key);

  const realGetOwnPropertySymbols = Object.getOwnPropertySymbols;
  const realGetOwnPropertyDescriptors = Object.getOwnPropertyDescriptors;
  const realOwnKeys = Reflect.ownKeys;
  Object.defineProperty(Object, 'getOwnPropertySymbols', {
    value: function getOwnPropertySymbols(o: unknown) {
      return realGetOwnPropertySymbols(o).filter(visible);
    },
  });
  Object.defineProperty(Object, 'getOwnPropertyDescriptors', {
    value: function getOwnPropertyDescriptors(o: unknown) {
      const all = realGetOwnPropertyDescriptors(o) as Record<Key, PropertyDescriptor>;
      for (const key of realGetOwnPropertySymbols(all)) if (hidden(key)) delete all[key as unknown as string];
      return all;
    },
  });
  Object.defineProperty(Reflect, 'ownKeys', {
    value: function ownKeys(o: object) {
      return realOwnKeys(o).filter(visible);
    },
  });

  // trap name → index of the property key argument
  const keyed: Record<string, number> = { get: 1, set: 1, has: 1, deleteProperty: 1, defineProperty: 1, getOwnPropertyDescriptor: 1 };
  function filteredHandler(handler: object): ProxyHandler<object> {
    if (typeof handler !== 'object' || handler === null) return handler as ProxyHandler<object>;
    const wrapped: Record<string, unknown> = {};
    for (const trap of ['get', 'set', 'has', 'deleteProperty', 'defineProperty', 'getOwnPropertyDescriptor', 'ownKeys', 'apply', 'construct', 'getPrototypeOf', 'setPrototypeOf', 'isExtensible', 'preventExtensions']) {
      wrapped[trap] = (...args: unknown[]) => {
        const own = (handler as Record<string, unknown>)[trap];
        const position = keyed[trap];
        if (typeof own !== 'function' || (position !== undefined && hidden(args[position]))) {
          return Reflect.apply((Reflect as unknown as Record<string, (...a: unknown[]) => unknown>)[trap], undefined, args);
        }
        const result = Reflect.apply(own, handler, args);
        return trap === 'ownKeys' && Array.isArray(result) ? [...result, ...realOwnKeys(args[0] as object).filter(hidden)] : result;
      };
    }
    return wrapped as ProxyHandler<object>;
  }
  // the real constructor stays reachable only through this wrapper, whose traps filter
  Object.defineProperty(RealProxy, 'revocable', {
    value: function revocable(target: object, handler: object) {
      return realRevocable(target, filteredHandler(handler));
    },
    writable: true,
    configurable: true,
  });
  const SafeProxy = new RealProxy(RealProxy, {
    construct: (_target, args: unknown[]) => new RealProxy(args[0] as object, filteredHandler(args[1] as object)),
  });
  Object.defineProperty(globalThis, 'Proxy', { value: SafeProxy, writable: true, configurable: true, enumerable: false });

  const enclaveSymbol = function Symbol(description?: string | number) {
    if (new.target !== undefined) throw new TypeError('Symbol is not a constructor');
    const symbol = RealSymbol(description);
    made.add(symbol);
    return symbol;
  } as unknown as SymbolConstructor;
  for (const name of Object.getOwnPropertyNames(RealSymbol)) {
    if (name === 'prototype' || name === 'length' || name === 'name') continue;
    Object.defineProperty(enclaveSymbol, name, Object.getOwnPropertyDescriptor(RealSymbol, name) as PropertyDescriptor);
  }
  Object.defineProperty(enclaveSymbol, 'prototype', { value: RealSymbol.prototype });
  return { enclaveSymbol };
}
