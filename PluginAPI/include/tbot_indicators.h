/*
 * tbot_indicators.h - the indicator library shared by TBot plugins (C and Swift).
 *
 * Header-only: every function is `static inline`, so each plugin compiles its own copy.
 * Nothing here crosses the plugin ABI (no indicator struct is ever passed between host
 * and plugin), so the structs below are free to change between releases: a plugin only
 * needs a recompile. Depends on the C standard library and <math.h> only; no global
 * state. Builds as C99 (and C++):
 *     cc -std=c99 -Wall -Wextra -Werror -I PluginAPI/include -c my_plugin.c
 * A plugin that uses BBANDS links with -lm (sqrt); every host process already has libm
 * loaded, so a plugin .so resolves it at load time even without -lm.
 * Swift reaches it with `import TBotPluginAPI` (see docs/indicators.md).
 *
 * Do not compile this header with -ffast-math (or -fassociative-math): the running sums
 * use compensated (Neumaier) summation, which reassociation silently destroys.
 *
 * ---------------------------------------------------------------------------------
 * Common contract of every indicator X
 * ---------------------------------------------------------------------------------
 *   int  tbot_X_init(tbot_X_t *x, params...)
 *        Sets the parameters and allocates what X needs. Returns 0 on success, -1 on an
 *        invalid parameter (see each indicator's range) or when memory is exhausted.
 *        On -1 the struct is left zeroed (safe to free, push returns 0). Call it on an
 *        uninitialized or freed struct: init on a live struct leaks its buffer.
 *   void tbot_X_free(tbot_X_t *x)
 *        Releases the buffers and zeroes the struct. Safe on a zeroed or already-freed
 *        struct and on NULL.
 *   void tbot_X_reset(tbot_X_t *x)
 *        Back to empty (as just after init); keeps the parameters and the buffers.
 *   int  tbot_X_push(tbot_X_t *x, inputs...)
 *        Feeds one bar. O(1) (amortized O(1) for HIGHEST/LOWEST). Returns 1 when the
 *        result fields are valid (the indicator is warmed up), else 0. Result fields
 *        are NaN while warming up.
 *        An input that is NaN or infinite (or a negative volume) is IGNORED: the state
 *        does not change and push returns what it would have returned before the call.
 *        This keeps one bad tick from poisoning a running sum forever.
 *        A push on a zeroed struct (init never called, or failed) returns 0.
 *
 * Fields: the result fields (first in each struct) and the parameters are public and
 * read-only. Everything after the "private" marker is internal state.
 *
 * Threading: no global state; one struct must not be used from two threads at once.
 * Swift: the structs import as Swift structs holding raw pointers. Keep each one in a
 * single `var` (or a class property) and pass it with `&`; never copy a live one (two
 * copies would share, and double-free, one buffer).
 *
 * Conventions follow TA-Lib (the reference the tests compare against, TA-Lib 0.8.x via
 * the PyPI `TA-Lib` wheel), with warm-up counted in bars pushed (the first bar is bar 1):
 *
 *   indicator        inputs        first valid at bar     TA-Lib function (lookback)
 *   SMA(n)           x             n                      SMA (n-1)
 *   XSMA(n)          price         n                      SMA (n-1), exact
 *   EMA(n)           x             n                      EMA (n-1)
 *   RSI(n)           x             n+1                    RSI (n)
 *   MACD(f,s,g)      x             s+g-1                  MACD (s+g-2)
 *   ATR(n)           h,l,c         n+1                    ATR (n)
 *   ADX(n)           h,l,c         2n  (DI fields: n+1)   ADX (2n-1), PLUS_DI/MINUS_DI (n)
 *   BBANDS(n,u,d)    x             n                      BBANDS matype SMA (n-1)
 *   VWAP             h,l,c,v       1                      none (session VWAP)
 *   HIGHEST(n)       x             n                      MAX (n-1)
 *   LOWEST(n)        x             n                      MIN (n-1)
 *
 * Periods are limited to TBOT_IND_MAX_PERIOD (TA-Lib's own limit).
 */
#ifndef TBOT_INDICATORS_H
#define TBOT_INDICATORS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TBOT_INDICATORS_VERSION 1

/* Largest period any indicator accepts (TA-Lib's limit). */
#define TBOT_IND_MAX_PERIOD 100000

/* ------------------------------------------------------------------------- */
/* Private helpers (not part of the API)                                      */
/* ------------------------------------------------------------------------- */

/* The exact average's per-bar functions are forced inline: compilers otherwise keep
 * them as calls when a plugin pushes two averages per bar, and the call costs about as
 * much as the push. */
#if defined(__GNUC__) || defined(__clang__)
#define TBOT_PRIV_HOT static inline __attribute__((always_inline))
#else
#define TBOT_PRIV_HOT static inline
#endif

static inline int tbot_priv_finite(double x) { return x == x && x - x == 0.0; }

static inline double tbot_priv_nan(void) { return (double)NAN; }

/* Neumaier compensated summation: *sum + *comp is the running total, accurate to about
 * one rounding of the true total regardless of how many terms were added or removed. */
static inline void tbot_priv_ksum_add(double *sum, double *comp, double x) {
    double s = *sum;
    double t = s + x;
    if (fabs(s) >= fabs(x)) *comp += (s - t) + x;
    else *comp += (x - t) + s;
    *sum = t;
}

static inline int tbot_priv_period_ok(int period, int minimum) {
    return period >= minimum && period <= TBOT_IND_MAX_PERIOD;
}

/* TA-Lib's true range: max(h - l, |h - previous close|, |l - previous close|). */
static inline double tbot_priv_true_range(double high, double low, double prev_close) {
    double tr = high - low;
    double a = fabs(high - prev_close);
    double b = fabs(low - prev_close);
    if (a > tr) tr = a;
    if (b > tr) tr = b;
    return tr;
}

/* ------------------------------------------------------------------------- */
/* SMA - simple moving average                                                */
/* ------------------------------------------------------------------------- */
/* value = mean of the last `period` inputs. Period 1..TBOT_IND_MAX_PERIOD (TA-Lib's SMA
 * starts at 2; SMA(1) is the input itself). Warm-up: valid from bar `period`.
 * Running sum with Neumaier compensation (no drift over any number of bars; TA-Lib uses
 * a plain running sum, whose drift stays far below 1e-9 relative on 5000 bars).
 * The volume SMA is this same type pushed with volumes. */
typedef struct tbot_sma {
    double value; /* result */
    int period;   /* parameter */
    /* private */
    int count; /* inputs held, up to period */
    int head;  /* next ring slot to overwrite */
    double sum, comp;
    double *ring;
} tbot_sma_t;

static inline void tbot_sma_reset(tbot_sma_t *s) {
    if (s == NULL) return;
    s->value = tbot_priv_nan();
    s->count = 0;
    s->head = 0;
    s->sum = 0.0;
    s->comp = 0.0;
}

static inline void tbot_sma_free(tbot_sma_t *s) {
    if (s == NULL) return;
    free(s->ring);
    s->ring = NULL;
    s->period = 0;
    tbot_sma_reset(s);
}

static inline int tbot_sma_init(tbot_sma_t *s, int period) {
    if (s == NULL) return -1;
    s->ring = NULL;
    s->period = 0;
    tbot_sma_reset(s);
    if (!tbot_priv_period_ok(period, 1)) return -1;
    s->ring = (double *)malloc(sizeof(double) * (size_t)period);
    if (s->ring == NULL) return -1;
    s->period = period;
    return 0;
}

static inline int tbot_sma_push(tbot_sma_t *s, double x) {
    if (s == NULL || s->ring == NULL || s->period <= 0) return 0;
    if (!tbot_priv_finite(x)) return s->count == s->period;
    if (s->count == s->period) tbot_priv_ksum_add(&s->sum, &s->comp, -s->ring[s->head]);
    else s->count++;
    s->ring[s->head] = x;
    s->head = s->head + 1 == s->period ? 0 : s->head + 1;
    tbot_priv_ksum_add(&s->sum, &s->comp, x);
    if (s->count < s->period) return 0;
    s->value = (s->sum + s->comp) / (double)s->period;
    return 1;
}

/* ------------------------------------------------------------------------- */
/* XSMA - exact simple moving average on fixed-point prices                   */
/* ------------------------------------------------------------------------- */
/* Prices are converted to int64 units of 1e-8 (tbot_price_fixed) and summed exactly in
 * int64, so two averages can be compared without any rounding: the comparison a crossover
 * strategy makes is exact, and two means that are mathematically equal compare 0.
 *
 * tbot_price_fixed(p) = llround(p * 1e8). Exactness: the result equals the decimal price
 * times 1e8 whenever p is the double nearest to a decimal with at most 8 fractional
 * digits and |p| < 2^25 (33,554,432): there p is within 2^-29 of the decimal, so p * 1e8
 * is within 0.19 + 0.25 (the product's rounding) of the integer. Above 2^25 some 8-decimal
 * prices convert one unit off, and above 2^26 doubles cannot tell them apart at all
 * (docs/indicators.md has the measurement). The bound holds for 2- or 4-decimal quotes
 * too: above 2^25 the product itself is rounded to an even integer.
 * NaN, infinities and |p| >= 9.2e10 (p * 1e8 would not fit int64) give
 * TBOT_PRICE_FIXED_INVALID.
 *
 * Overflow bounds: the window sum never overflows int64 because push refuses (ignores)
 * any input with |fixed| > INT64_MAX / period, i.e. period * |price| must stay below
 * about 9.22e10 (period 200: prices below 4.6e8). tbot_xsma_compare multiplies a sum
 * (< 2^63) by a period (<= 100000 < 2^17): in int64 when the product fits, else in
 * 128-bit arithmetic built from 64-bit halves, so it cannot overflow.
 * Period 1..TBOT_IND_MAX_PERIOD.
 * `value` is sum / period / 1e8 as a double, for display and logs only. */
#define TBOT_PRICE_FIXED_SCALE 100000000LL
#define TBOT_PRICE_FIXED_INVALID INT64_MIN

/* llround(x) for |x| < 9.2e18 without the library call: x - trunc(x) is exact in double
 * arithmetic (below 2^52 it is x's fraction bits, above it is zero), so the half-way test
 * rounds half away from zero exactly as llround does. */
TBOT_PRIV_HOT int64_t tbot_priv_round_half_away(double x) {
    int64_t whole = (int64_t)x;
    double fraction = x - (double)whole;
    if (fraction >= 0.5) return whole + 1;
    if (fraction <= -0.5) return whole - 1;
    return whole;
}

TBOT_PRIV_HOT int64_t tbot_price_fixed(double price) {
    double scaled = price * (double)TBOT_PRICE_FIXED_SCALE;
    /* Also false for NaN and the infinities (a finite price never scales to either). */
    if (!(fabs(scaled) < 9.2e18)) return TBOT_PRICE_FIXED_INVALID;
    return tbot_priv_round_half_away(scaled);
}

typedef struct tbot_xsma {
    double value; /* result, for display: sum / period / TBOT_PRICE_FIXED_SCALE */
    int64_t sum;  /* result: exact sum of the window in 1e-8 units (valid when warm) */
    int period;   /* parameter */
    /* private */
    int count;
    int head;
    int64_t max_abs; /* INT64_MAX / period: larger inputs are refused */
    double divisor;  /* period * TBOT_PRICE_FIXED_SCALE, for value */
    int64_t *ring;
} tbot_xsma_t;

static inline void tbot_xsma_reset(tbot_xsma_t *s) {
    if (s == NULL) return;
    s->value = tbot_priv_nan();
    s->sum = 0;
    s->count = 0;
    s->head = 0;
}

static inline void tbot_xsma_free(tbot_xsma_t *s) {
    if (s == NULL) return;
    free(s->ring);
    s->ring = NULL;
    s->period = 0;
    s->max_abs = 0;
    s->divisor = 0.0;
    tbot_xsma_reset(s);
}

static inline int tbot_xsma_init(tbot_xsma_t *s, int period) {
    if (s == NULL) return -1;
    s->ring = NULL;
    s->period = 0;
    s->max_abs = 0;
    s->divisor = 0.0;
    tbot_xsma_reset(s);
    if (!tbot_priv_period_ok(period, 1)) return -1;
    s->ring = (int64_t *)malloc(sizeof(int64_t) * (size_t)period);
    if (s->ring == NULL) return -1;
    s->period = period;
    s->max_abs = INT64_MAX / period;
    s->divisor = (double)period * (double)TBOT_PRICE_FIXED_SCALE;
    return 0;
}

/* Pushes a price already in 1e-8 units and updates `sum` only, leaving `value` as it was:
 * for a caller that compares sums every bar and needs the mean rarely (tbot_xsma_mean). */
TBOT_PRIV_HOT int tbot_xsma_push_sum(tbot_xsma_t *s, int64_t fixed) {
    /* ring is set exactly while init's parameters hold (period >= 1, max_abs, divisor). */
    if (s == NULL || s->ring == NULL) return 0;
    /* |fixed| <= max_abs as one unsigned comparison; TBOT_PRICE_FIXED_INVALID (INT64_MIN)
     * is below -max_abs, so it is refused too. */
    if ((uint64_t)fixed + (uint64_t)s->max_abs > 2 * (uint64_t)s->max_abs) return s->count == s->period;
    if (s->count == s->period) s->sum -= s->ring[s->head];
    else s->count++;
    s->ring[s->head] = fixed;
    s->head = s->head + 1 == s->period ? 0 : s->head + 1;
    s->sum += fixed;
    return s->count >= s->period;
}

/* The mean of a warm window, as `value` holds it after tbot_xsma_push_fixed. */
TBOT_PRIV_HOT double tbot_xsma_mean(const tbot_xsma_t *s) { return (double)s->sum / s->divisor; }

/* Pushes a price already in 1e-8 units. */
TBOT_PRIV_HOT int tbot_xsma_push_fixed(tbot_xsma_t *s, int64_t fixed) {
    int warm = tbot_xsma_push_sum(s, fixed);
    if (warm) s->value = tbot_xsma_mean(s);
    return warm;
}

TBOT_PRIV_HOT int tbot_xsma_push(tbot_xsma_t *s, double price) {
    return tbot_xsma_push_fixed(s, tbot_price_fixed(price));
}

/* |a| * b as a 128-bit magnitude (hi, lo), b < 2^32. */
static inline void tbot_priv_mul_u64_u32(uint64_t a, uint32_t b, uint64_t *hi, uint64_t *lo) {
    uint64_t p1 = (a & 0xFFFFFFFFu) * (uint64_t)b;
    uint64_t p2 = (a >> 32) * (uint64_t)b;
    uint64_t low = p1 + (p2 << 32);
    *hi = (p2 >> 32) + (low < p1 ? 1u : 0u);
    *lo = low;
}

/* Sign of (sa * pb - sb * pa), exactly; pa, pb > 0. */
static inline int tbot_priv_compare_ratio(int64_t sa, int pa, int64_t sb, int pb) {
    int sign_a = (sa > 0) - (sa < 0);
    int sign_b = (sb > 0) - (sb < 0);
    uint64_t ma, mb, ahi, alo, bhi, blo;
    int magnitude;
    if (sign_a != sign_b) return sign_a < sign_b ? -1 : 1;
    if (sign_a == 0) return 0;
    ma = sa < 0 ? (uint64_t)0 - (uint64_t)sa : (uint64_t)sa;
    mb = sb < 0 ? (uint64_t)0 - (uint64_t)sb : (uint64_t)sb;
    tbot_priv_mul_u64_u32(ma, (uint32_t)pb, &ahi, &alo);
    tbot_priv_mul_u64_u32(mb, (uint32_t)pa, &bhi, &blo);
    if (ahi != bhi) magnitude = ahi < bhi ? -1 : 1;
    else if (alo != blo) magnitude = alo < blo ? -1 : 1;
    else magnitude = 0;
    return sign_a < 0 ? -magnitude : magnitude;
}

/* -1, 0 or 1 as a's mean is below, equal to or above b's mean, compared exactly
 * (a.sum * b.period against b.sum * a.period, without overflow). Returns 0 when either
 * is not warmed up (or NULL): check push's return before trusting a 0. */
TBOT_PRIV_HOT int tbot_xsma_compare(const tbot_xsma_t *a, const tbot_xsma_t *b) {
    if (a == NULL || b == NULL || a->period <= 0 || b->period <= 0) return 0;
    if (a->count != a->period || b->count != b->period) return 0;
#if defined(__GNUC__) || defined(__clang__)
    {
        /* Usually both products fit int64 (any quote below 9.2e10 / (period a * period b),
         * 9.2e6 for 50 and 200): one multiplication each. */
        int64_t left, right;
        if (!__builtin_mul_overflow(a->sum, (int64_t)b->period, &left) &&
            !__builtin_mul_overflow(b->sum, (int64_t)a->period, &right))
            return (left > right) - (left < right);
    }
#endif
    return tbot_priv_compare_ratio(a->sum, a->period, b->sum, b->period);
}

/* ------------------------------------------------------------------------- */
/* EMA - exponential moving average                                           */
/* ------------------------------------------------------------------------- */
/* TA-Lib convention: the first value (bar `period`) is the SMA of the first `period`
 * inputs; then value += (x - value) * k with k = 2 / (period + 1).
 * Period 1..TBOT_IND_MAX_PERIOD (TA-Lib starts at 2; EMA(1) is the input itself). */
typedef struct tbot_ema {
    double value; /* result */
    int period;   /* parameter */
    double k;     /* 2 / (period + 1) */
    /* private */
    int count; /* inputs seen, up to period */
    double sum, comp;
} tbot_ema_t;

static inline void tbot_ema_reset(tbot_ema_t *e) {
    if (e == NULL) return;
    e->value = tbot_priv_nan();
    e->count = 0;
    e->sum = 0.0;
    e->comp = 0.0;
}

static inline void tbot_ema_free(tbot_ema_t *e) {
    if (e == NULL) return;
    e->period = 0;
    e->k = 0.0;
    tbot_ema_reset(e);
}

static inline int tbot_ema_init(tbot_ema_t *e, int period) {
    if (e == NULL) return -1;
    tbot_ema_free(e);
    if (!tbot_priv_period_ok(period, 1)) return -1;
    e->period = period;
    e->k = 2.0 / ((double)period + 1.0);
    return 0;
}

static inline int tbot_ema_push(tbot_ema_t *e, double x) {
    if (e == NULL || e->period <= 0) return 0;
    if (!tbot_priv_finite(x)) return e->count == e->period;
    if (e->count == e->period) {
        e->value = (x - e->value) * e->k + e->value;
        return 1;
    }
    tbot_priv_ksum_add(&e->sum, &e->comp, x);
    e->count++;
    if (e->count < e->period) return 0;
    e->value = (e->sum + e->comp) / (double)e->period;
    return 1;
}

/* ------------------------------------------------------------------------- */
/* RSI - relative strength index (Wilder)                                     */
/* ------------------------------------------------------------------------- */
/* TA-Lib convention (not Metastock): the changes of the first `period` + 1 inputs seed
 * average gain and loss as plain means; then avg = (avg * (period - 1) + change) / period.
 * value = 100 * gain / (gain + loss), and 0 when gain + loss is exactly 0 (no movement at
 * all), as TA-Lib 0.8 does. Period 2..TBOT_IND_MAX_PERIOD. Valid from bar period + 1. */
typedef struct tbot_rsi {
    double value; /* result, 0..100 */
    int period;   /* parameter */
    /* private */
    int count; /* inputs seen, up to period + 1 */
    double prev;
    double gain, loss;
} tbot_rsi_t;

static inline void tbot_rsi_reset(tbot_rsi_t *r) {
    if (r == NULL) return;
    r->value = tbot_priv_nan();
    r->count = 0;
    r->prev = 0.0;
    r->gain = 0.0;
    r->loss = 0.0;
}

static inline void tbot_rsi_free(tbot_rsi_t *r) {
    if (r == NULL) return;
    r->period = 0;
    tbot_rsi_reset(r);
}

static inline int tbot_rsi_init(tbot_rsi_t *r, int period) {
    if (r == NULL) return -1;
    tbot_rsi_free(r);
    if (!tbot_priv_period_ok(period, 2)) return -1;
    r->period = period;
    return 0;
}

static inline int tbot_rsi_push(tbot_rsi_t *r, double x) {
    double change, total;
    if (r == NULL || r->period <= 0) return 0;
    if (!tbot_priv_finite(x)) return r->count > r->period;
    if (r->count == 0) {
        r->prev = x;
        r->count = 1;
        return 0;
    }
    change = x - r->prev;
    r->prev = x;
    if (r->count <= r->period) {
        /* Seeding: plain sums of the first `period` changes. */
        if (change < 0.0) r->loss -= change;
        else r->gain += change;
        r->count++;
        if (r->count <= r->period) return 0;
        r->loss /= (double)r->period;
        r->gain /= (double)r->period;
    } else {
        r->loss *= (double)(r->period - 1);
        r->gain *= (double)(r->period - 1);
        if (change < 0.0) r->loss -= change;
        else r->gain += change;
        r->loss /= (double)r->period;
        r->gain /= (double)r->period;
    }
    total = r->gain + r->loss;
    r->value = total != 0.0 ? 100.0 * (r->gain / total) : 0.0;
    return 1;
}

/* ------------------------------------------------------------------------- */
/* MACD                                                                       */
/* ------------------------------------------------------------------------- */
/* TA-Lib convention (TA_MACD): if slow < fast the two are swapped. Both EMAs start at bar
 * `slow`: the slow one seeded with the SMA of inputs 1..slow, the FAST one with the SMA
 * of inputs slow-fast+1..slow (not of the first `fast` inputs), k = 2/(n+1) each.
 * macd = fast EMA - slow EMA; signal = EMA(signal_period) of macd seeded with the SMA of
 * its first signal_period values; histogram = macd - signal. All three fields are NaN
 * until bar slow + signal_period - 1, where all become valid together (TA-Lib outputs
 * nothing earlier). fast, slow 2..TBOT_IND_MAX_PERIOD; signal_period 1..TBOT_IND_MAX_PERIOD. */
typedef struct tbot_macd {
    double macd, signal, histogram; /* results */
    int fast, slow, signal_period;  /* parameters (after the TA-Lib swap) */
    /* private */
    double k_fast, k_slow, k_signal;
    int64_t count; /* inputs seen, saturates once warm */
    double fast_sum, fast_comp, slow_sum, slow_comp, signal_sum, signal_comp;
    double fast_ema, slow_ema, signal_ema;
} tbot_macd_t;

static inline void tbot_macd_reset(tbot_macd_t *m) {
    if (m == NULL) return;
    m->macd = m->signal = m->histogram = tbot_priv_nan();
    m->count = 0;
    m->fast_sum = m->fast_comp = m->slow_sum = m->slow_comp = m->signal_sum = m->signal_comp = 0.0;
    m->fast_ema = m->slow_ema = m->signal_ema = 0.0;
}

static inline void tbot_macd_free(tbot_macd_t *m) {
    if (m == NULL) return;
    m->fast = m->slow = m->signal_period = 0;
    m->k_fast = m->k_slow = m->k_signal = 0.0;
    tbot_macd_reset(m);
}

static inline int tbot_macd_init(tbot_macd_t *m, int fast, int slow, int signal_period) {
    if (m == NULL) return -1;
    tbot_macd_free(m);
    if (!tbot_priv_period_ok(fast, 2) || !tbot_priv_period_ok(slow, 2) || !tbot_priv_period_ok(signal_period, 1)) return -1;
    if (slow < fast) {
        int t = slow;
        slow = fast;
        fast = t;
    }
    m->fast = fast;
    m->slow = slow;
    m->signal_period = signal_period;
    m->k_fast = 2.0 / ((double)fast + 1.0);
    m->k_slow = 2.0 / ((double)slow + 1.0);
    m->k_signal = 2.0 / ((double)signal_period + 1.0);
    return 0;
}

static inline int tbot_macd_push(tbot_macd_t *m, double x) {
    int64_t warm;
    double line;
    if (m == NULL || m->slow <= 0) return 0;
    warm = (int64_t)m->slow + m->signal_period - 1;
    if (!tbot_priv_finite(x)) return m->count >= warm;
    if (m->count < m->slow) {
        /* Seeding the two EMAs; this is bar number count + 1. */
        m->count++;
        tbot_priv_ksum_add(&m->slow_sum, &m->slow_comp, x);
        if (m->count > (int64_t)(m->slow - m->fast)) tbot_priv_ksum_add(&m->fast_sum, &m->fast_comp, x);
        if (m->count < m->slow) return 0;
        m->slow_ema = (m->slow_sum + m->slow_comp) / (double)m->slow;
        m->fast_ema = (m->fast_sum + m->fast_comp) / (double)m->fast;
    } else {
        m->fast_ema = (x - m->fast_ema) * m->k_fast + m->fast_ema;
        m->slow_ema = (x - m->slow_ema) * m->k_slow + m->slow_ema;
        if (m->count <= warm) m->count++; /* saturates at warm + 1 */
    }
    line = m->fast_ema - m->slow_ema;
    if (m->count < warm) {
        /* Bars slow..warm-1: MACD lines collected for the signal seed. */
        tbot_priv_ksum_add(&m->signal_sum, &m->signal_comp, line);
        return 0;
    }
    if (m->count == warm) {
        tbot_priv_ksum_add(&m->signal_sum, &m->signal_comp, line);
        m->signal_ema = (m->signal_sum + m->signal_comp) / (double)m->signal_period;
    } else {
        m->signal_ema = (line - m->signal_ema) * m->k_signal + m->signal_ema;
    }
    m->macd = line;
    m->signal = m->signal_ema;
    m->histogram = line - m->signal_ema;
    return 1;
}

/* ------------------------------------------------------------------------- */
/* ATR - average true range (Wilder)                                          */
/* ------------------------------------------------------------------------- */
/* TA-Lib convention: bar 1 has no true range (no previous close); the first value (bar
 * period + 1) is the SMA of the true ranges of bars 2..period+1; then
 * atr = (atr * (period - 1) + tr) / period. TR = max(h - l, |h - prev c|, |l - prev c|).
 * Period 1..TBOT_IND_MAX_PERIOD (ATR(1) is TRANGE). */
typedef struct tbot_atr {
    double value; /* result */
    int period;   /* parameter */
    /* private */
    int count; /* bars seen, up to period + 1 */
    double prev_close;
    double sum, comp;
} tbot_atr_t;

static inline void tbot_atr_reset(tbot_atr_t *a) {
    if (a == NULL) return;
    a->value = tbot_priv_nan();
    a->count = 0;
    a->prev_close = 0.0;
    a->sum = 0.0;
    a->comp = 0.0;
}

static inline void tbot_atr_free(tbot_atr_t *a) {
    if (a == NULL) return;
    a->period = 0;
    tbot_atr_reset(a);
}

static inline int tbot_atr_init(tbot_atr_t *a, int period) {
    if (a == NULL) return -1;
    tbot_atr_free(a);
    if (!tbot_priv_period_ok(period, 1)) return -1;
    a->period = period;
    return 0;
}

static inline int tbot_atr_push(tbot_atr_t *a, double high, double low, double close) {
    double tr;
    if (a == NULL || a->period <= 0) return 0;
    if (!tbot_priv_finite(high) || !tbot_priv_finite(low) || !tbot_priv_finite(close)) return a->count > a->period;
    if (a->count == 0) {
        a->prev_close = close;
        a->count = 1;
        return 0;
    }
    tr = tbot_priv_true_range(high, low, a->prev_close);
    a->prev_close = close;
    if (a->count <= a->period) {
        tbot_priv_ksum_add(&a->sum, &a->comp, tr);
        a->count++;
        if (a->count <= a->period) return 0;
        a->value = (a->sum + a->comp) / (double)a->period;
        return 1;
    }
    a->value = (a->value * (double)(a->period - 1) + tr) / (double)a->period;
    return 1;
}

/* ------------------------------------------------------------------------- */
/* ADX - average directional index, with +DI and -DI (Wilder)                 */
/* ------------------------------------------------------------------------- */
/* TA-Lib convention (TA_ADX, TA_PLUS_DI, TA_MINUS_DI):
 *   up = h - prev h, down = prev l - l; +DM = up when up > 0 and up > down, else 0;
 *   -DM = down when down > 0 and down > up, else 0; TR as in ATR.
 *   Bars 2..period: +DM, -DM and TR are summed. From bar period + 1 each is smoothed as
 *   s = s - s / period + today's value (Wilder sums, not averages).
 *   plus_di = 100 * s(+DM) / s(TR), minus_di likewise (0 when s(TR) is 0); valid from
 *   bar period + 1. DX = 100 * |+DI - -DI| / (+DI + -DI).
 *   adx (bar 2*period) = mean of the DX of bars period+1..2*period (a bar whose s(TR) or
 *   +DI + -DI is 0 contributes 0); then adx = (adx * (period - 1) + DX) / period, left
 *   unchanged on a bar whose s(TR) or +DI + -DI is 0.
 * push returns 1 once adx is valid. Period 2..TBOT_IND_MAX_PERIOD. */
typedef struct tbot_adx {
    double adx, plus_di, minus_di; /* results */
    int period;                    /* parameter */
    /* private */
    int count; /* bars seen, up to 2 * period */
    double prev_high, prev_low, prev_close;
    double plus_dm, minus_dm, tr;
    double sum_dx, sum_dx_comp;
} tbot_adx_t;

static inline void tbot_adx_reset(tbot_adx_t *x) {
    if (x == NULL) return;
    x->adx = x->plus_di = x->minus_di = tbot_priv_nan();
    x->count = 0;
    x->prev_high = x->prev_low = x->prev_close = 0.0;
    x->plus_dm = x->minus_dm = x->tr = 0.0;
    x->sum_dx = x->sum_dx_comp = 0.0;
}

static inline void tbot_adx_free(tbot_adx_t *x) {
    if (x == NULL) return;
    x->period = 0;
    tbot_adx_reset(x);
}

static inline int tbot_adx_init(tbot_adx_t *x, int period) {
    if (x == NULL) return -1;
    tbot_adx_free(x);
    if (!tbot_priv_period_ok(period, 2)) return -1;
    x->period = period;
    return 0;
}

static inline int tbot_adx_push(tbot_adx_t *x, double high, double low, double close) {
    double up, down, plus_dm = 0.0, minus_dm = 0.0, tr, p, di_sum, dx = 0.0;
    int has_dx = 0;
    if (x == NULL || x->period <= 0) return 0;
    if (!tbot_priv_finite(high) || !tbot_priv_finite(low) || !tbot_priv_finite(close)) return x->count >= 2 * x->period;
    if (x->count == 0) {
        x->prev_high = high;
        x->prev_low = low;
        x->prev_close = close;
        x->count = 1;
        return 0;
    }
    up = high - x->prev_high;
    down = x->prev_low - low;
    if (down > 0.0 && up < down) minus_dm = down;
    else if (up > 0.0 && up > down) plus_dm = up;
    tr = tbot_priv_true_range(high, low, x->prev_close);
    x->prev_high = high;
    x->prev_low = low;
    x->prev_close = close;
    p = (double)x->period;
    if (x->count < x->period) {
        /* Bars 2..period: plain sums. */
        x->plus_dm += plus_dm;
        x->minus_dm += minus_dm;
        x->tr += tr;
        x->count++;
        return 0;
    }
    x->plus_dm = x->plus_dm - x->plus_dm / p + plus_dm;
    x->minus_dm = x->minus_dm - x->minus_dm / p + minus_dm;
    x->tr = x->tr - x->tr / p + tr;
    if (x->tr != 0.0) {
        x->plus_di = 100.0 * (x->plus_dm / x->tr);
        x->minus_di = 100.0 * (x->minus_dm / x->tr);
        di_sum = x->plus_di + x->minus_di;
        if (di_sum != 0.0) {
            dx = 100.0 * (fabs(x->minus_di - x->plus_di) / di_sum);
            has_dx = 1;
        }
    } else {
        x->plus_di = 0.0;
        x->minus_di = 0.0;
    }
    if (x->count < 2 * x->period) {
        /* Bars period+1..2*period: DX summed for the ADX seed. */
        if (has_dx) tbot_priv_ksum_add(&x->sum_dx, &x->sum_dx_comp, dx);
        x->count++;
        if (x->count < 2 * x->period) return 0;
        x->adx = (x->sum_dx + x->sum_dx_comp) / p;
        return 1;
    }
    if (has_dx) x->adx = (x->adx * (p - 1.0) + dx) / p;
    return 1;
}

/* ------------------------------------------------------------------------- */
/* BBANDS - Bollinger bands                                                   */
/* ------------------------------------------------------------------------- */
/* TA-Lib BBANDS with matype SMA: middle = SMA(period); sd = POPULATION standard deviation
 * of the same window (divide by period); upper = middle + k_up * sd,
 * lower = middle - k_down * sd. Valid from bar `period`.
 * Period 2..TBOT_IND_MAX_PERIOD; k_up and k_down finite and >= 0.
 * Numerics: sums of deviations from a shift (the window mean, re-centred and recomputed
 * from the ring every `period` bars, O(1) amortized), so neither cancellation (E[x^2] -
 * mean^2 at high price levels) nor drift can creep in. */
typedef struct tbot_bbands {
    double middle, upper, lower; /* results */
    int period;                  /* parameter */
    double k_up, k_down;         /* parameters */
    /* private */
    int count;
    int head;
    double shift;  /* reference value the sums are taken around */
    double s1, s2; /* sum of (x - shift) and of (x - shift)^2 over the window */
    double *ring;
} tbot_bbands_t;

static inline void tbot_bbands_reset(tbot_bbands_t *b) {
    if (b == NULL) return;
    b->middle = b->upper = b->lower = tbot_priv_nan();
    b->count = 0;
    b->head = 0;
    b->shift = 0.0;
    b->s1 = b->s2 = 0.0;
}

static inline void tbot_bbands_free(tbot_bbands_t *b) {
    if (b == NULL) return;
    free(b->ring);
    b->ring = NULL;
    b->period = 0;
    b->k_up = b->k_down = 0.0;
    tbot_bbands_reset(b);
}

static inline int tbot_bbands_init(tbot_bbands_t *b, int period, double k_up, double k_down) {
    if (b == NULL) return -1;
    b->ring = NULL;
    tbot_bbands_free(b);
    if (!tbot_priv_period_ok(period, 2)) return -1;
    if (!tbot_priv_finite(k_up) || !tbot_priv_finite(k_down) || k_up < 0.0 || k_down < 0.0) return -1;
    b->ring = (double *)malloc(sizeof(double) * (size_t)period);
    if (b->ring == NULL) return -1;
    b->period = period;
    b->k_up = k_up;
    b->k_down = k_down;
    return 0;
}

static inline int tbot_bbands_push(tbot_bbands_t *b, double x) {
    double d, mean_d, variance, sd;
    int i;
    if (b == NULL || b->ring == NULL || b->period <= 0) return 0;
    if (!tbot_priv_finite(x)) return b->count == b->period;
    if (b->count == 0) b->shift = x;
    if (b->count == b->period) {
        d = b->ring[b->head] - b->shift;
        b->s1 -= d;
        b->s2 -= d * d;
    } else {
        b->count++;
    }
    b->ring[b->head] = x;
    b->head = b->head + 1 == b->period ? 0 : b->head + 1;
    d = x - b->shift;
    b->s1 += d;
    b->s2 += d * d;
    if (b->count < b->period) return 0;
    if (b->head == 0) {
        /* Once per `period` bars: re-centre on the window mean and recompute exactly. */
        double s1 = 0.0, s2 = 0.0;
        for (i = 0; i < b->period; i++) s1 += b->ring[i] - b->shift;
        b->shift = b->shift + s1 / (double)b->period;
        s1 = 0.0;
        for (i = 0; i < b->period; i++) {
            d = b->ring[i] - b->shift;
            s1 += d;
            s2 += d * d;
        }
        b->s1 = s1;
        b->s2 = s2;
    }
    mean_d = b->s1 / (double)b->period;
    variance = b->s2 / (double)b->period - mean_d * mean_d;
    sd = variance > 0.0 ? sqrt(variance) : 0.0;
    b->middle = b->shift + mean_d;
    b->upper = b->middle + b->k_up * sd;
    b->lower = b->middle - b->k_down * sd;
    return 1;
}

/* ------------------------------------------------------------------------- */
/* VWAP - session volume-weighted average price                               */
/* ------------------------------------------------------------------------- */
/* value = sum(tp * v) / sum(v) over the bars pushed since init or the last reset, with
 * the typical price tp = (h + l + c) / 3. The caller resets at each session start.
 * While the session's cumulative volume is 0 (only zero-volume bars so far), value is
 * the latest bar's typical price, so VWAP is valid from the first bar: push returns 1
 * for every accepted bar. Negative or non-finite volume is ignored like a non-finite
 * price. Both sums are compensated. Field `volume` is the session's cumulative volume. */
typedef struct tbot_vwap {
    double value;  /* result */
    double volume; /* result: cumulative session volume */
    /* private */
    int64_t count; /* bars accepted since reset (saturates) */
    double pv_sum, pv_comp, v_sum, v_comp;
    int initialized;
} tbot_vwap_t;

static inline void tbot_vwap_reset(tbot_vwap_t *w) {
    if (w == NULL) return;
    w->value = tbot_priv_nan();
    w->volume = 0.0;
    w->count = 0;
    w->pv_sum = w->pv_comp = w->v_sum = w->v_comp = 0.0;
}

static inline void tbot_vwap_free(tbot_vwap_t *w) {
    if (w == NULL) return;
    w->initialized = 0;
    tbot_vwap_reset(w);
}

static inline int tbot_vwap_init(tbot_vwap_t *w) {
    if (w == NULL) return -1;
    tbot_vwap_free(w);
    w->initialized = 1;
    return 0;
}

static inline int tbot_vwap_push(tbot_vwap_t *w, double high, double low, double close, double volume) {
    double tp;
    if (w == NULL || !w->initialized) return 0;
    if (!tbot_priv_finite(high) || !tbot_priv_finite(low) || !tbot_priv_finite(close) || !tbot_priv_finite(volume) ||
        volume < 0.0)
        return w->count > 0;
    tp = (high + low + close) / 3.0;
    tbot_priv_ksum_add(&w->pv_sum, &w->pv_comp, tp * volume);
    tbot_priv_ksum_add(&w->v_sum, &w->v_comp, volume);
    if (w->count < INT64_MAX) w->count++;
    w->volume = w->v_sum + w->v_comp;
    w->value = w->volume > 0.0 ? (w->pv_sum + w->pv_comp) / w->volume : tp;
    return 1;
}

/* ------------------------------------------------------------------------- */
/* HIGHEST / LOWEST - rolling maximum and minimum                             */
/* ------------------------------------------------------------------------- */
/* value = max (min) of the last `period` inputs, like TA-Lib MAX (MIN). A monotonic deque
 * (a ring of at most `period` candidates) gives O(1) amortized per push.
 * Period 1..TBOT_IND_MAX_PERIOD (TA-Lib starts at 2). Valid from bar `period`. */
typedef struct tbot_extreme_item {
    double value;
    int64_t index;
} tbot_extreme_item_t;

/* Shared private state of HIGHEST and LOWEST. */
typedef struct tbot_extreme_state {
    int64_t count; /* inputs seen */
    int front;     /* ring index of the deque's first item */
    int size;      /* items in the deque */
    tbot_extreme_item_t *items;
} tbot_extreme_state_t;

static inline int tbot_priv_extreme_push(tbot_extreme_state_t *s, int period, double x, int highest, double *value) {
    int back;
    int64_t index = s->count;
    /* Drop the front when it has left the window of the last `period` inputs. */
    if (s->size > 0 && s->items[s->front].index <= index - period) {
        s->front = s->front + 1 == period ? 0 : s->front + 1;
        s->size--;
    }
    /* Drop from the back every candidate this input dominates. */
    while (s->size > 0) {
        back = s->front + s->size - 1;
        if (back >= period) back -= period;
        if (highest ? s->items[back].value <= x : s->items[back].value >= x) s->size--;
        else break;
    }
    back = s->front + s->size;
    if (back >= period) back -= period;
    s->items[back].value = x;
    s->items[back].index = index;
    s->size++;
    if (s->count < INT64_MAX) s->count++;
    if (s->count < period) return 0;
    *value = s->items[s->front].value;
    return 1;
}

typedef struct tbot_highest {
    double value; /* result */
    int period;   /* parameter */
    /* private */
    tbot_extreme_state_t state;
} tbot_highest_t;

typedef struct tbot_lowest {
    double value; /* result */
    int period;   /* parameter */
    /* private */
    tbot_extreme_state_t state;
} tbot_lowest_t;

static inline void tbot_priv_extreme_reset(tbot_extreme_state_t *s, double *value) {
    *value = tbot_priv_nan();
    s->count = 0;
    s->front = 0;
    s->size = 0;
}

static inline void tbot_priv_extreme_free(tbot_extreme_state_t *s, int *period, double *value) {
    free(s->items);
    s->items = NULL;
    *period = 0;
    tbot_priv_extreme_reset(s, value);
}

static inline int tbot_priv_extreme_init(tbot_extreme_state_t *s, int *period_field, int period, double *value) {
    s->items = NULL;
    *period_field = 0;
    tbot_priv_extreme_reset(s, value);
    if (!tbot_priv_period_ok(period, 1)) return -1;
    s->items = (tbot_extreme_item_t *)malloc(sizeof(tbot_extreme_item_t) * (size_t)period);
    if (s->items == NULL) return -1;
    *period_field = period;
    return 0;
}

static inline int tbot_highest_init(tbot_highest_t *h, int period) {
    if (h == NULL) return -1;
    return tbot_priv_extreme_init(&h->state, &h->period, period, &h->value);
}

static inline void tbot_highest_free(tbot_highest_t *h) {
    if (h == NULL) return;
    tbot_priv_extreme_free(&h->state, &h->period, &h->value);
}

static inline void tbot_highest_reset(tbot_highest_t *h) {
    if (h == NULL) return;
    tbot_priv_extreme_reset(&h->state, &h->value);
}

static inline int tbot_highest_push(tbot_highest_t *h, double x) {
    if (h == NULL || h->state.items == NULL || h->period <= 0) return 0;
    if (!tbot_priv_finite(x)) return h->state.count >= h->period;
    return tbot_priv_extreme_push(&h->state, h->period, x, 1, &h->value);
}

static inline int tbot_lowest_init(tbot_lowest_t *l, int period) {
    if (l == NULL) return -1;
    return tbot_priv_extreme_init(&l->state, &l->period, period, &l->value);
}

static inline void tbot_lowest_free(tbot_lowest_t *l) {
    if (l == NULL) return;
    tbot_priv_extreme_free(&l->state, &l->period, &l->value);
}

static inline void tbot_lowest_reset(tbot_lowest_t *l) {
    if (l == NULL) return;
    tbot_priv_extreme_reset(&l->state, &l->value);
}

static inline int tbot_lowest_push(tbot_lowest_t *l, double x) {
    if (l == NULL || l->state.items == NULL || l->period <= 0) return 0;
    if (!tbot_priv_finite(x)) return l->state.count >= l->period;
    return tbot_priv_extreme_push(&l->state, l->period, x, 0, &l->value);
}

#ifdef __cplusplus
}
#endif

#endif /* TBOT_INDICATORS_H */
