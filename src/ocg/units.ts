// The OCG-C wire carries prices and quantities as signed Int64 × 10^8 (OCG-C note §2.5); the
// gateway and the engine work in P3 prices (integer thousandths, as the SEHK spread table and
// OMD-C) and integer shares (order-routing.ts).
const P3_PER_WIRE = 100_000n; // 10^8 / 10^3
const SHARES_PER_WIRE = 100_000_000n;

// Every order crosses these conversions twice, so they stay off BigInt arithmetic where they can:
// a wire value within ±2^53 converts to a double exactly, and the grid checks and divisions are
// then exact in doubles; beyond it the BigInt path decides. Back to the wire, values repeat (price
// levels, board lots): a small direct-mapped table per converter returns the same BigInt again.
const P3_PER_WIRE_N = 100_000;
const SHARES_PER_WIRE_N = 100_000_000;
const EXACT = 2n ** 53n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function fromWire(raw: bigint, per: bigint, perN: number): number {
  if (raw > -EXACT && raw < EXACT) {
    const n = Number(raw);
    return n % perN === 0 ? n / perN : Number.NaN;
  }
  if (raw % per !== 0n) return Number.NaN;
  const q = raw / per;
  return q > MAX_SAFE || q < -MAX_SAFE ? Number.NaN : Number(q);
}

const CACHE_SLOTS = 1024;
function wireCache(per: bigint): (n: number) => bigint {
  const keys = new Float64Array(CACHE_SLOTS).fill(Number.NaN);
  const values = new Array<bigint>(CACHE_SLOTS).fill(0n);
  return (n) => {
    const slot = (n ^ (n >>> 10)) & (CACHE_SLOTS - 1); // n an integer (P3 or shares); NaN/∞ → slot 0, never equal
    if (keys[slot] === n) return values[slot]!;
    const v = BigInt(n) * per; // throws on a non-integer, as before
    keys[slot] = n;
    values[slot] = v;
    return v;
  };
}

/** Wire Decimal price → P3; NaN when off the 0.001 grid or beyond a safe integer (rejected as bad tick). */
export function priceFromWire(raw: bigint): number {
  return fromWire(raw, P3_PER_WIRE, P3_PER_WIRE_N);
}

export const priceToWire: (p3: number) => bigint = wireCache(P3_PER_WIRE);

/** Wire Decimal quantity → shares; NaN when fractional or beyond a safe integer (rejected as bad qty). */
export function qtyFromWire(raw: bigint): number {
  return fromWire(raw, SHARES_PER_WIRE, SHARES_PER_WIRE_N);
}

export const qtyToWire: (shares: number) => bigint = wireCache(SHARES_PER_WIRE);
