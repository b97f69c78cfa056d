/*
 * bench_counter.h - the strategy `tbot bench abi` calls: on_bar only counts.
 * Compiled into the host (bench_direct.c) and into the bench plugin fixture
 * (Tests/Fixtures/Bench) from this one source, so the two calls the benchmark
 * compares run identical code and differ only by the library boundary.
 */
#ifndef TBOT_BENCH_COUNTER_H
#define TBOT_BENCH_COUNTER_H

#include <stdint.h>
#include <stdlib.h>

#include <tbot_plugin.h>

typedef struct bench_counter {
    uint64_t bars;
} bench_counter_t;

static tbot_status_t bench_counter_session(void *instance, const tbot_session_t *session,
                                           char *err, uint32_t err_cap) {
    (void)instance;
    (void)session;
    (void)err;
    (void)err_cap;
    return TBOT_OK;
}

static tbot_status_t bench_counter_on_bar(void *instance, const tbot_bar_t *bar,
                                          const tbot_intent_sink_t *sink, char *err,
                                          uint32_t err_cap) {
    (void)bar;
    (void)sink;
    (void)err;
    (void)err_cap;
    ((bench_counter_t *)instance)->bars++;
    return TBOT_OK;
}

static tbot_status_t bench_counter_session_end(void *instance, const tbot_session_t *session,
                                               const tbot_intent_sink_t *sink, char *err,
                                               uint32_t err_cap) {
    (void)sink;
    return bench_counter_session(instance, session, err, err_cap);
}

static const tbot_strategy_api_t bench_counter_functions = {
    .size = sizeof(tbot_strategy_api_t),
    .session_start = bench_counter_session,
    .on_bar = bench_counter_on_bar,
    .session_end = bench_counter_session_end,
};

#endif /* TBOT_BENCH_COUNTER_H */
