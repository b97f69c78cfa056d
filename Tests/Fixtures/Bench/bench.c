/*
 * bench.c - the plugin side of `tbot bench abi`: a strategy whose on_bar only counts.
 *
 * The benchmark loads many copies of this one .so from different paths, and the host
 * requires unique plugin ids, so the id is derived from the file this code was
 * loaded from: "bench_" + base name without "lib" and ".so", other characters
 * mapped into [a-z0-9_].
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bench_counter.h"

#define ID_CAP 128

static void *bench_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                          uint32_t err_cap) {
    (void)host;
    (void)params; /* the benchmark passes none; anything given is irrelevant */
    bench_counter_t *b = calloc(1, sizeof *b);
    if (b == NULL) tbot_copy_string(err, err_cap, "out of memory");
    return b;
}

static void bench_destroy(void *instance) {
    free(instance);
}

static tbot_status_t bench_self_check(void *instance, char *reason, uint32_t reason_cap) {
    (void)instance;
    (void)reason;
    (void)reason_cap;
    return TBOT_OK;
}

/* Filled once by init_descriptor; constant afterwards. */
static char bench_id[ID_CAP] = "bench_unknown";
static tbot_plugin_descriptor_t bench_descriptor = {
    .abi_major = TBOT_ABI_VERSION_MAJOR,
    .abi_minor = TBOT_ABI_VERSION_MINOR,
    .size = sizeof(tbot_plugin_descriptor_t),
    .kind = TBOT_KIND_STRATEGY,
    .id = bench_id,
    .name = "ABI benchmark strategy",
    .version = "1.0.0",
    .description = "Counts on_bar calls and emits nothing; measures the cost of a plugin call.",
    .create = bench_create,
    .destroy = bench_destroy,
    .self_check = bench_self_check,
    .get_extension = NULL,
    .functions = &bench_counter_functions,
};
static pthread_once_t bench_once = PTHREAD_ONCE_INIT;

/* Builds the id from this library's own path. dladdr is asked about a static
 * function: a reference to the exported entry could be bound to another copy's
 * entry if the host loaded an earlier copy with RTLD_GLOBAL. */
static void init_descriptor(void) {
    Dl_info info;
    if (dladdr((void *)(uintptr_t)&bench_create, &info) == 0 || info.dli_fname == NULL) return;
    const char *base = strrchr(info.dli_fname, '/');
    base = base ? base + 1 : info.dli_fname;
    size_t len = strlen(base);
    if (strncmp(base, "lib", 3) == 0) {
        base += 3;
        len -= 3;
    }
    if (len >= 3 && strcmp(base + len - 3, ".so") == 0) len -= 3;
    size_t out = strlen("bench_");
    for (size_t i = 0; i < len && out + 1 < ID_CAP; i++) {
        char c = base[i];
        int keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        bench_id[out++] = keep ? c : '_';
    }
    bench_id[out] = '\0';
}

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void);

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) {
    /* The entry may be called from any thread: build the id exactly once. */
    pthread_once(&bench_once, init_descriptor);
    return &bench_descriptor;
}
