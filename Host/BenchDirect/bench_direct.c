/*
 * bench_direct.c - see bench_direct.h. on_bar does exactly what the bench fixture's
 * on_bar does, so any difference the benchmark measures is the cost of the boundary.
 */
#include "bench_direct.h"

#include <stdlib.h>

typedef struct bench_direct {
    uint64_t bars;
} bench_direct_t;

static tbot_status_t direct_session_start(void *instance, const tbot_session_t *session,
                                          char *err, uint32_t err_cap) {
    (void)instance;
    (void)session;
    (void)err;
    (void)err_cap;
    return TBOT_OK;
}

static tbot_status_t direct_on_bar(void *instance, const tbot_bar_t *bar,
                                   const tbot_intent_sink_t *sink, char *err, uint32_t err_cap) {
    (void)bar;
    (void)sink;
    (void)err;
    (void)err_cap;
    ((bench_direct_t *)instance)->bars++;
    return TBOT_OK;
}

static tbot_status_t direct_session_end(void *instance, const tbot_session_t *session,
                                        const tbot_intent_sink_t *sink, char *err,
                                        uint32_t err_cap) {
    (void)instance;
    (void)session;
    (void)sink;
    (void)err;
    (void)err_cap;
    return TBOT_OK;
}

static const tbot_strategy_api_t direct_functions = {
    .size = sizeof(tbot_strategy_api_t),
    .session_start = direct_session_start,
    .on_bar = direct_on_bar,
    .session_end = direct_session_end,
};

const tbot_strategy_api_t *tbot_bench_direct_api(void) {
    return &direct_functions;
}

void *tbot_bench_direct_create(void) {
    return calloc(1, sizeof(bench_direct_t));
}

void tbot_bench_direct_destroy(void *instance) {
    free(instance);
}

uint64_t tbot_bench_direct_count(const void *instance) {
    return instance ? ((const bench_direct_t *)instance)->bars : 0;
}
