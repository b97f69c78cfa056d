/*
 * bench_direct.h - the host-linked reference point of `tbot bench abi`.
 *
 * The same trivial strategy as Tests/Fixtures/Bench (on_bar increments a counter),
 * compiled into the host, so the benchmark can compare a call through a dlopen'ed
 * plugin's table with a call through a table that never crossed a library boundary.
 */
#ifndef TBOT_BENCH_DIRECT_H
#define TBOT_BENCH_DIRECT_H

#include <stdint.h>

#include <tbot_plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The strategy function table; static, valid for the life of the process. */
const tbot_strategy_api_t *tbot_bench_direct_api(void);

/* An instance for that table. Free it with tbot_bench_direct_destroy. NULL when out
 * of memory. */
void *tbot_bench_direct_create(void);
void tbot_bench_direct_destroy(void *instance);

/* How many times on_bar ran on `instance`. */
uint64_t tbot_bench_direct_count(const void *instance);

#ifdef __cplusplus
}
#endif

#endif /* TBOT_BENCH_DIRECT_H */
