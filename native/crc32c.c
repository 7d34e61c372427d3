// CRC-32C (Castagnoli) of every frame in a received chunk, with the x86-64 SSE4.2 CRC32
// instruction, as a Node-API addon (built by scripts/build-native.mjs at install time; the
// WebAssembly / JS kernels in src/wire/crc32c.ts stay the fallback).
//
// Why native, and why a batch: an OCG-C frame is ~220 bytes and its CRC is checked on every
// message received. The table-driven kernels cost ~0.45 ns/byte (about 100 ns a frame, a third of
// the whole decode); the CRC32 instruction does 8 bytes per instruction, and three frames computed
// side by side keep it busy every cycle (its latency is 3 cycles, its throughput 1 per cycle).
// A Node-API call costs ~100 ns, as much as a frame, so the addon is called once per TCP chunk and
// computes the CRCs of all the complete frames in it; per-call packages (@node-rs/crc32,
// sse4_crc32) pay that cost per frame.
#include <node_api.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <nmmintrin.h>
#define HAVE_HW 1
#endif

static uint32_t table[256];

static void init_table(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
    table[n] = c;
  }
}

static uint32_t crc_sw(const uint8_t* p, size_t n) {
  uint32_t c = 0xffffffffu;
  while (n--) c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
  return ~c;
}

#ifdef HAVE_HW
__attribute__((target("sse4.2"))) static uint32_t crc_hw(const uint8_t* p, size_t n) {
  uint64_t c = 0xffffffffu;
  while (n >= 8) { uint64_t w; memcpy(&w, p, 8); c = _mm_crc32_u64(c, w); p += 8; n -= 8; }
  uint32_t c32 = (uint32_t)c;
  while (n--) c32 = _mm_crc32_u8(c32, *p++);
  return ~c32;
}

// Three frames side by side while all three have 8 bytes left, then each one's rest alone.
__attribute__((target("sse4.2"))) static void crc_hw3(const uint8_t* const p[3], const size_t n[3], uint32_t out[3]) {
  uint64_t c0 = 0xffffffffu, c1 = 0xffffffffu, c2 = 0xffffffffu;
  const uint8_t *a = p[0], *b = p[1], *d = p[2];
  size_t m = n[0];
  if (n[1] < m) m = n[1];
  if (n[2] < m) m = n[2];
  m &= ~(size_t)7;
  for (size_t i = 0; i < m; i += 8) {
    uint64_t wa, wb, wd;
    memcpy(&wa, a + i, 8); memcpy(&wb, b + i, 8); memcpy(&wd, d + i, 8);
    c0 = _mm_crc32_u64(c0, wa); c1 = _mm_crc32_u64(c1, wb); c2 = _mm_crc32_u64(c2, wd);
  }
  uint64_t cs[3] = { c0, c1, c2 };
  for (int k = 0; k < 3; k++) {
    const uint8_t* q = p[k] + m;
    size_t r = n[k] - m;
    uint64_t c = cs[k];
    while (r >= 8) { uint64_t w; memcpy(&w, q, 8); c = _mm_crc32_u64(c, w); q += 8; r -= 8; }
    uint32_t c32 = (uint32_t)c;
    while (r--) c32 = _mm_crc32_u8(c32, *q++);
    out[k] = ~c32;
  }
}
#endif

static int hw = 0;

// frames(bytes: Uint8Array, from: number, lengthOffset: number, trailer: number, out: Int32Array): number
// Frames start at `from`, one after another: a frame's length is the u16 LE at lengthOffset, its CRC
// covers its first length − trailer bytes. For each complete frame k (at most out.length / 3):
// out[3k] = start, out[3k+1] = end of the covered bytes, out[3k+2] = CRC-32C. Stops at the first
// frame that is incomplete or whose length is too small to hold the length field and the trailer
// (the caller's decoder reports it). Returns the number of frames.
static napi_value frames(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) goto bad;
  napi_typedarray_type t;
  size_t len, outLen;
  void* data;
  void* outData;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, argv[0], &t, &len, &data, &ab, &off) != napi_ok || t != napi_uint8_array) goto bad;
  if (napi_get_typedarray_info(env, argv[4], &t, &outLen, &outData, &ab, &off) != napi_ok || t != napi_int32_array) goto bad;
  int32_t from, lenOff, trailer;
  if (napi_get_value_int32(env, argv[1], &from) != napi_ok || napi_get_value_int32(env, argv[2], &lenOff) != napi_ok
      || napi_get_value_int32(env, argv[3], &trailer) != napi_ok) goto bad;
  if (from < 0 || lenOff < 0 || trailer < 0) goto bad;
  const uint8_t* b = (const uint8_t*)data;
  int32_t* out = (int32_t*)outData;
  size_t max = outLen / 3, k = 0, pos = (size_t)from;
  const size_t minLen = (size_t)lenOff + 2 + (size_t)trailer;
  // Collect the frames first, then compute.
  // The walk is a chain of dependent loads (each frame's length gives the next frame's place), so
  // a chunk that is not in the L1 cache costs one cache miss per frame, in series (perf: 92% of this
  // function's time on the length load, ~11% of ocg.decode). Prefetching the lines ~1 KiB ahead lets
  // the misses overlap; the CRC pass and the decoder read the same lines right after.
  while (k < max && pos + (size_t)lenOff + 2 <= len) {
    __builtin_prefetch(b + pos + 512);
    __builtin_prefetch(b + pos + 768);
    __builtin_prefetch(b + pos + 1024);
    size_t flen = (size_t)b[pos + lenOff] | ((size_t)b[pos + lenOff + 1] << 8);
    if (flen < minLen || pos + flen > len) break;
    out[3 * k] = (int32_t)pos;
    out[3 * k + 1] = (int32_t)(pos + flen - trailer);
    k++;
    pos += flen;
  }
  size_t i = 0;
#ifdef HAVE_HW
  if (hw) {
    for (; i + 3 <= k; i += 3) {
      const uint8_t* ps[3];
      size_t ns[3];
      uint32_t cs[3];
      for (int j = 0; j < 3; j++) { ps[j] = b + out[3 * (i + j)]; ns[j] = (size_t)(out[3 * (i + j) + 1] - out[3 * (i + j)]); }
      crc_hw3(ps, ns, cs);
      for (int j = 0; j < 3; j++) out[3 * (i + j) + 2] = (int32_t)cs[j];
    }
    for (; i < k; i++) out[3 * i + 2] = (int32_t)crc_hw(b + out[3 * i], (size_t)(out[3 * i + 1] - out[3 * i]));
  }
#endif
  for (; i < k; i++) out[3 * i + 2] = (int32_t)crc_sw(b + out[3 * i], (size_t)(out[3 * i + 1] - out[3 * i]));
  napi_create_int32(env, (int32_t)k, &result);
  return result;
bad:
  napi_throw_type_error(env, NULL, "frames(bytes: Uint8Array, from, lengthOffset, trailer: int >= 0, out: Int32Array)");
  return NULL;
}

// crc(bytes: Uint8Array, start: number, end: number): number: CRC-32C of bytes[start, end) (for tests).
static napi_value crc(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_value result;
  napi_typedarray_type t;
  size_t len, off;
  void* data;
  napi_value ab;
  int32_t s, e;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3
      || napi_get_typedarray_info(env, argv[0], &t, &len, &data, &ab, &off) != napi_ok || t != napi_uint8_array
      || napi_get_value_int32(env, argv[1], &s) != napi_ok || napi_get_value_int32(env, argv[2], &e) != napi_ok
      || s < 0 || e < s || (size_t)e > len) {
    napi_throw_range_error(env, NULL, "crc(bytes: Uint8Array, start, end) with 0 <= start <= end <= length");
    return NULL;
  }
  const uint8_t* p = (const uint8_t*)data + s;
#ifdef HAVE_HW
  uint32_t v = hw ? crc_hw(p, (size_t)(e - s)) : crc_sw(p, (size_t)(e - s));
#else
  uint32_t v = crc_sw(p, (size_t)(e - s));
#endif
  napi_create_uint32(env, v, &result);
  return result;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  init_table();
#ifdef HAVE_HW
  __builtin_cpu_init();
  hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
#endif
  napi_value fn, flag;
  napi_create_function(env, "frames", NAPI_AUTO_LENGTH, frames, NULL, &fn);
  napi_set_named_property(env, exports, "frames", fn);
  napi_create_function(env, "crc", NAPI_AUTO_LENGTH, crc, NULL, &fn);
  napi_set_named_property(env, exports, "crc", fn);
  napi_get_boolean(env, hw != 0, &flag);
  napi_set_named_property(env, exports, "hardware", flag);
  return exports;
}
