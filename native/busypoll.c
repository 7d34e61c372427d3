// Busy polling without garbage, and a sub-millisecond timer for a polling process; and memory
// whose pages are mapped before they are touched (populated(), at the end of this file).
//
// The loop is kept from sleeping by a libuv prepare handle that spins just before libuv's own
// epoll_wait: it polls the loop's epoll descriptor (poll(2) with a zero timeout; an epoll fd is
// readable while it has ready events, and polling it consumes none) until an event is ready, the
// next libuv timer is due, or the JS deadline set with schedule() has passed. libuv's epoll_wait
// then returns at once with the events. So the loop turns once per event, not once per poll:
// every turn of a Node loop allocates a JS object (Environment::RunAndClearNativeImmediates makes
// one for its callback scope), and turning with a zero timeout, as a libuv idle handle or a
// setImmediate loop does, made ~90 MB/s of garbage: ~125 young-generation collections a second in
// a process doing nothing else (measured with --max-semi-space-size=1), each a 0.1–0.3 ms pause
// for whatever message was in flight. Spinning here, the loop turns only when there is work.
//
// The spin gives way whenever the loop has other work: libuv's uv_backend_timeout() is 0 while
// any idle handle is active (Node keeps one active while setImmediate callbacks are pending), a
// request is pending, or a handle is closing; then the prepare callback returns at once.
//
// schedule(handle, delayMs, fn): fn runs once, from the loop, as soon as delayMs (fractions
// allowed) have passed — the loop's own timers have millisecond resolution. One pending callback
// per handle; scheduling again replaces it. Called through napi_make_callback, so promise
// reactions and process.nextTick callbacks run after it, as after any I/O callback.
//
// Built at npm ci by scripts/build-native.mjs; Node exports libuv for addons, and
// Node-API gives the loop (napi_get_uv_event_loop).
#include <node_api.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <uv.h>

typedef struct {
  uv_prepare_t prepare;
  uv_idle_t idle;          // active from our prepare callback to the next: libuv must not sleep
  napi_env env;
  napi_ref fn;             // pending schedule() callback, or NULL
  napi_async_context ctx;  // for napi_make_callback
  napi_ref resource;
  uint64_t due;            // uv_hrtime() of the pending callback; 0 = none
  int closed;              // how many of the two handles' close callbacks ran
  int finalized;           // the JS handle was collected
  // Stall record (stalls()): gaps inside the spin (nothing but poll(2) runs there: the thread was
  // preempted) and loop turns that took long (JS, GC, other handles), in a ring.
  uint64_t spin_left;      // uv_hrtime() when the spin last ended; 0 = not yet
  uint64_t stall_ns;       // threshold; 0 = not recording
  uint32_t nstall;         // records written (ring index = nstall % STALL_RING)
  double stall[3 * 16384];  // start (uv_hrtime ns), length (ns), kind (1 = preempted in the spin, 2 = long loop turn)
} busypoll;
#define STALL_RING 16384

static void record_stall(busypoll* s, uint64_t at, uint64_t len, int kind) {
  uint32_t k = (s->nstall++ % STALL_RING) * 3;
  s->stall[k] = (double)at;
  s->stall[k + 1] = (double)len;
  s->stall[k + 2] = kind;
}

static void run_due(busypoll* s) {
  napi_env env = s->env;
  napi_ref ref = s->fn;
  s->fn = NULL;
  s->due = 0;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, result;
  if (napi_get_reference_value(env, ref, &fn) == napi_ok && napi_get_reference_value(env, s->resource, &recv) == napi_ok) {
    napi_delete_reference(env, ref);
    if (napi_make_callback(env, s->ctx, recv, fn, 0, NULL, &result) == napi_pending_exception) {
      napi_value err;
      if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    }
  } else {
    napi_delete_reference(env, ref);
  }
  napi_close_handle_scope(env, scope);
}

static void on_idle(uv_idle_t* h) { (void)h; }

static void on_prepare(uv_prepare_t* h) {
  busypoll* s = (busypoll*)h;
  uv_loop_t* loop = h->loop;
  // Our idle handle must not count in uv_backend_timeout(), which is 0 while any idle handle is
  // active. It is started again before returning: libuv computes its epoll_wait timeout right
  // after the prepare callbacks, and with an active idle handle that timeout is 0, so the loop
  // never sleeps, whether this callback spun or not.
  uv_idle_stop(&s->idle);
  int timeout = uv_backend_timeout(loop);  // ms until the next timer; -1 none; 0 = other work waits
  uint64_t now = uv_hrtime();
  if (s->stall_ns != 0 && s->spin_left != 0 && now - s->spin_left > s->stall_ns) record_stall(s, s->spin_left, now - s->spin_left, 2);
  if (s->fn != NULL && now >= s->due) {
    run_due(s);  // it may queue work; the next turn sees it
  } else if (timeout != 0) {
    uint64_t limit = timeout < 0 ? UINT64_MAX : now + (uint64_t)timeout * 1000000u;
    if (s->fn != NULL && s->due < limit) limit = s->due;
    struct pollfd p = {.fd = uv_backend_fd(loop), .events = POLLIN, .revents = 0};
    if (s->stall_ns == 0) {
      while (poll(&p, 1, 0) == 0 && uv_hrtime() < limit) {
      }
    } else {
      uint64_t last = now;
      for (;;) {
        int r = poll(&p, 1, 0);
        uint64_t t = uv_hrtime();
        if (t - last > s->stall_ns) record_stall(s, last, t - last, 1);
        last = t;
        if (r != 0 || t >= limit) break;
      }
    }
    uv_update_time(loop);  // the loop's clock moved while spinning: timers due now run this turn
    if (s->fn != NULL && uv_hrtime() >= s->due) run_due(s);
  }
  if (!uv_is_closing((uv_handle_t*)&s->idle)) uv_idle_start(&s->idle, on_idle);  // stop() may have run in fn
  s->spin_left = uv_hrtime();
}

// Freed when both the handle is closed and its JS handle collected, whichever comes last (a
// handle dropped without stop() keeps polling, like an unstopped timer keeps firing).
static void on_close(uv_handle_t* h) {
  busypoll* s = h->data;
  if (++s->closed == 2 && s->finalized) free(s);
}

static void finalize(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  busypoll* s = data;
  s->finalized = 1;
  if (s->closed == 2) free(s);
}

// start(): an opaque handle; the loop polls without sleeping until stop(handle).
static napi_value start(napi_env env, napi_callback_info info) {
  (void)info;
  uv_loop_t* loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, NULL, "busypoll: no event loop");
    return NULL;
  }
  busypoll* s = calloc(1, sizeof *s);
  if (s == NULL || uv_prepare_init(loop, &s->prepare) != 0 || uv_idle_init(loop, &s->idle) != 0) {
    free(s);
    napi_throw_error(env, NULL, "busypoll: uv_prepare_init failed");
    return NULL;
  }
  s->env = env;
  s->prepare.data = s;
  s->idle.data = s;
  napi_value resource, name;
  napi_create_object(env, &resource);
  napi_create_reference(env, resource, 1, &s->resource);
  napi_create_string_utf8(env, "failover-drill:busypoll", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, resource, name, &s->ctx);
  uv_prepare_start(&s->prepare, on_prepare);
  napi_value ext;
  napi_create_external(env, s, finalize, NULL, &ext);
  return ext;
}

static busypoll* handle_arg(napi_env env, napi_callback_info info, size_t want, napi_value* argv) {
  size_t argc = want;
  void* p = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want || napi_get_value_external(env, argv[0], &p) != napi_ok || p == NULL) {
    return NULL;
  }
  return p;
}

// schedule(handle, delayMs, fn)
static napi_value schedule(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  busypoll* s = handle_arg(env, info, 3, argv);
  double delay;
  napi_valuetype t;
  if (s == NULL || napi_get_value_double(env, argv[1], &delay) != napi_ok || napi_typeof(env, argv[2], &t) != napi_ok || t != napi_function) {
    napi_throw_type_error(env, NULL, "busypoll: schedule(handle from start(), delayMs, function)");
    return NULL;
  }
  if (uv_is_closing((uv_handle_t*)&s->prepare) || s->closed) {
    napi_throw_error(env, NULL, "busypoll: schedule() after stop()");
    return NULL;
  }
  if (s->fn != NULL) napi_delete_reference(env, s->fn);
  napi_create_reference(env, argv[2], 1, &s->fn);
  s->due = uv_hrtime() + (delay > 0 ? (uint64_t)(delay * 1e6) + 1 : 0);  // +1: never early by a rounding
  return NULL;
}

// recordStalls(handle, thresholdUs): from now on, keep gaps over the threshold (0 stops).
static napi_value record_stalls(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  busypoll* s = handle_arg(env, info, 2, argv);
  double us;
  if (s == NULL || napi_get_value_double(env, argv[1], &us) != napi_ok || !(us >= 0)) {
    napi_throw_type_error(env, NULL, "busypoll: recordStalls(handle from start(), thresholdUs >= 0)");
    return NULL;
  }
  s->stall_ns = (uint64_t)(us * 1000);
  s->nstall = 0;
  s->spin_left = 0;
  return NULL;
}

// stalls(handle): Float64Array of [start ns (process.hrtime clock), length ns, kind] triples, the
// latest STALL_RING records, oldest first.
static napi_value stalls(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  busypoll* s = handle_arg(env, info, 1, argv);
  if (s == NULL) {
    napi_throw_type_error(env, NULL, "busypoll: stalls(handle from start())");
    return NULL;
  }
  uint32_t n = s->nstall < STALL_RING ? s->nstall : STALL_RING;
  uint32_t first = s->nstall - n;
  napi_value ab, out;
  void* data;
  napi_create_arraybuffer(env, (size_t)n * 3 * sizeof(double), &data, &ab);
  double* d = data;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t k = ((first + i) % STALL_RING) * 3;
    d[3 * i] = s->stall[k];
    d[3 * i + 1] = s->stall[k + 1];
    d[3 * i + 2] = s->stall[k + 2];
  }
  napi_create_typedarray(env, napi_float64_array, (size_t)n * 3, ab, 0, &out);
  return out;
}

// stop(handle): the loop may sleep again (and the process end); a pending callback is dropped.
// Twice is harmless.
static napi_value stop(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  busypoll* s = handle_arg(env, info, 1, argv);
  if (s == NULL) {
    napi_throw_type_error(env, NULL, "busypoll: stop(handle from start())");
    return NULL;
  }
  if (!s->closed && !uv_is_closing((uv_handle_t*)&s->prepare)) {
    uv_prepare_stop(&s->prepare);
    if (s->fn != NULL) napi_delete_reference(env, s->fn);
    s->fn = NULL;
    napi_async_destroy(env, s->ctx);
    napi_delete_reference(env, s->resource);
    uv_idle_stop(&s->idle);
    uv_close((uv_handle_t*)&s->prepare, on_close);
    uv_close((uv_handle_t*)&s->idle, on_close);
  }
  return NULL;
}

// populated(bytes): an ArrayBuffer of fresh zeroed memory whose pages are already mapped (mmap
// with MAP_POPULATE), unmapped when the buffer is collected. On this VM a first touch of a page
// costs ~10–13 µs (a fault that exits to the host) and populating ~0.7 µs a page, so a 64 KiB slab
// costs ~11 µs up front instead of ~150–200 µs of faults under whichever message first touches it
// (src/wire/populated.ts).
static void unmap_populated(napi_env env, void* data, void* hint) {
  (void)env;
  munmap(data, (size_t)(uintptr_t)hint);
}

static napi_value populated(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double want = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_double(env, argv[0], &want) != napi_ok || !(want >= 1 && want <= (double)(1u << 30))) {
    napi_throw_type_error(env, NULL, "busypoll: populated(bytes from 1 to 2^30)");
    return NULL;
  }
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t len = ((size_t)want + page - 1) / page * page;
  void* p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (p == MAP_FAILED) {
    napi_throw_error(env, NULL, "busypoll: populated: mmap failed");
    return NULL;
  }
  napi_value ab;
  if (napi_create_external_arraybuffer(env, p, (size_t)want, unmap_populated, (void*)(uintptr_t)len, &ab) != napi_ok) {
    munmap(p, len);
    napi_throw_error(env, NULL, "busypoll: populated: this runtime refuses external array buffers");
    return NULL;
  }
  return ab;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value f;
  napi_create_function(env, "populated", NAPI_AUTO_LENGTH, populated, NULL, &f);
  napi_set_named_property(env, exports, "populated", f);
  napi_create_function(env, "start", NAPI_AUTO_LENGTH, start, NULL, &f);
  napi_set_named_property(env, exports, "start", f);
  napi_create_function(env, "schedule", NAPI_AUTO_LENGTH, schedule, NULL, &f);
  napi_set_named_property(env, exports, "schedule", f);
  napi_create_function(env, "recordStalls", NAPI_AUTO_LENGTH, record_stalls, NULL, &f);
  napi_set_named_property(env, exports, "recordStalls", f);
  napi_create_function(env, "stalls", NAPI_AUTO_LENGTH, stalls, NULL, &f);
  napi_set_named_property(env, exports, "stalls", f);
  napi_create_function(env, "stop", NAPI_AUTO_LENGTH, stop, NULL, &f);
  napi_set_named_property(env, exports, "stop", f);
  return exports;
}
