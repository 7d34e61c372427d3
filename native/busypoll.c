// Busy polling without garbage: a libuv idle handle with an empty callback. While an idle handle
// is active, libuv polls for I/O with a zero timeout, so the event loop never sleeps in
// epoll_wait, and no JS runs for it. The JS fallback (a setImmediate loop, src/wire/busy-poll.ts)
// allocates ~450 bytes a turn inside Node: ~300 young-generation collections a second in a process
// that only polls, against ~100 with this handle (measured with --max-semi-space-size=1), and each
// collection is a 0.1–0.3 ms pause for whatever message is in flight.
// Built at npm ci by scripts/build-native.mjs, like crc32c.c; Node exports libuv for addons, and
// Node-API gives the loop (napi_get_uv_event_loop).
#include <node_api.h>
#include <stdlib.h>
#include <uv.h>

static void on_idle(uv_idle_t* h) { (void)h; }

static void on_close(uv_handle_t* h) { free(h); }

// start(): an opaque handle; the loop polls without sleeping until stop(handle).
static napi_value start(napi_env env, napi_callback_info info) {
  (void)info;
  uv_loop_t* loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, NULL, "busypoll: no event loop");
    return NULL;
  }
  uv_idle_t* h = malloc(sizeof *h);
  if (h == NULL || uv_idle_init(loop, h) != 0 || uv_idle_start(h, on_idle) != 0) {
    free(h);
    napi_throw_error(env, NULL, "busypoll: uv_idle_start failed");
    return NULL;
  }
  napi_value ext;
  napi_create_external(env, h, NULL, NULL, &ext);
  return ext;
}

// stop(handle): the loop may sleep again (and the process end). Twice is harmless.
static napi_value stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void* p = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_external(env, argv[0], &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "busypoll: stop(handle from start())");
    return NULL;
  }
  uv_idle_t* h = p;
  if (!uv_is_closing((uv_handle_t*)h)) {
    uv_idle_stop(h);
    uv_close((uv_handle_t*)h, on_close);
  }
  return NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value f;
  napi_create_function(env, "start", NAPI_AUTO_LENGTH, start, NULL, &f);
  napi_set_named_property(env, exports, "start", f);
  napi_create_function(env, "stop", NAPI_AUTO_LENGTH, stop, NULL, &f);
  napi_set_named_property(env, exports, "stop", f);
  return exports;
}
