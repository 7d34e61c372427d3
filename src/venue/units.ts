// The engine works in P3 prices (integer thousandths, as the SEHK spread table and OMD-C) and
// integer shares; the OCG-C wire carries both as signed Int64 × 10^8 (OCG-C note §2.5).
const P3_PER_WIRE = 100_000n; // 10^8 / 10^3
const SHARES_PER_WIRE = 100_000_000n;

/** Wire Decimal price → P3; NaN when off the 0.001 grid or beyond a safe integer (rejected as bad tick). */
export function priceFromWire(raw: bigint): number {
  if (raw % P3_PER_WIRE !== 0n) return Number.NaN;
  const p = raw / P3_PER_WIRE;
  return p > BigInt(Number.MAX_SAFE_INTEGER) || p < -BigInt(Number.MAX_SAFE_INTEGER) ? Number.NaN : Number(p);
}

export function priceToWire(p3: number): bigint {
  return BigInt(p3) * P3_PER_WIRE;
}

/** Wire Decimal quantity → shares; NaN when fractional or beyond a safe integer (rejected as bad qty). */
export function qtyFromWire(raw: bigint): number {
  if (raw % SHARES_PER_WIRE !== 0n) return Number.NaN;
  const q = raw / SHARES_PER_WIRE;
  return q > BigInt(Number.MAX_SAFE_INTEGER) || q < -BigInt(Number.MAX_SAFE_INTEGER) ? Number.NaN : Number(q);
}

export function qtyToWire(shares: number): bigint {
  return BigInt(shares) * SHARES_PER_WIRE;
}
