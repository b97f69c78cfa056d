/*
 * bench_direct.c - see bench_direct.h: the counting strategy of bench_counter.h,
 * linked into the host.
 */
#include "bench_direct.h"

#include "bench_counter.h"

const tbot_strategy_api_t *tbot_bench_direct_api(void) {
    return &bench_counter_functions;
}

void *tbot_bench_direct_create(void) {
    return calloc(1, sizeof(bench_counter_t));
}

void tbot_bench_direct_destroy(void *instance) {
    free(instance);
}

uint64_t tbot_bench_direct_count(const void *instance) {
    return instance ? ((const bench_counter_t *)instance)->bars : 0;
}
