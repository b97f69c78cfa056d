/*
 * tbot_plugin.h - the whole contract between the TBot host and its plugins.
 *
 * A plugin is a shared library that exports exactly one symbol, TBOT_ENTRY_SYMBOL
 * ("tbot_plugin_entry"), returning a descriptor. Everything else is reached through
 * pointers in that descriptor. This header has no dependency beyond the C standard
 * library: a third party builds a plugin with
 *     cc -shared -fPIC -fvisibility=hidden -I PluginAPI/include my_plugin.c -o my_plugin.so
 *
 * Stability rules (read docs/plugin-abi.md for the long form):
 *   1. TBOT_ABI_VERSION_MAJOR changes only when an existing declaration changes meaning.
 *      The host refuses a plugin whose major differs from its own, and one whose minor
 *      is newer than its own. A minor bump only appends fields, functions or constants.
 *   2. Every struct that crosses the boundary starts with `uint32_t size` (the
 *      descriptor starts with the ABI version, then its size). The writer sets it to
 *      sizeof() as it was compiled; a reader checks TBOT_HAS_FIELD before reading a
 *      field that was appended later. Fields are never reordered or removed.
 *   3. Integer constants are #defines over fixed-width types, never C enums, so their
 *      storage size cannot vary between compilers.
 *   4. Optional capabilities are discovered with get_extension(id), which returns
 *      NULL when absent. Mandatory tables never grow for optional features.
 *   5. Errors cross the boundary as a tbot_status_t plus a message written into a
 *      caller-owned buffer. A plugin never throws, longjmps across the boundary,
 *      aborts or exits.
 *   6. Money and quantities are fixed-point int64 with the scales below. Prices of
 *      market data are double.
 *   7. Threading: the host calls one plugin instance from one thread at a time. It may
 *      call different instances from different threads. Host services may be called
 *      only from inside a call the host made into the plugin, on that thread.
 *   8. Time: plugins read time only through tbot_host_t.now_ns (UTC). They never read
 *      the wall clock, so a backtest replays byte-identically.
 */
#ifndef TBOT_PLUGIN_H
#define TBOT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------- */
/* Versions, visibility, helpers                                              */
/* ------------------------------------------------------------------------- */

#define TBOT_ABI_VERSION_MAJOR 1
#define TBOT_ABI_VERSION_MINOR 3

/* The one symbol the host resolves in a plugin library. */
#define TBOT_ENTRY_SYMBOL "tbot_plugin_entry"

#if defined(__GNUC__) || defined(__clang__)
#define TBOT_EXPORT __attribute__((visibility("default")))
#else
#define TBOT_EXPORT
#endif

/* True when the struct at `ptr`, whose writer set ptr->size, contains `field`.
 * Use it before reading any field appended after ABI 1.0. */
#define TBOT_HAS_FIELD(ptr, type, field) \
    ((ptr)->size >= offsetof(type, field) + sizeof(((type *)0)->field))

/* Copies NUL-terminated UTF-8 `src` into dst[0..cap), always terminating. When it
 * must truncate, it cuts before the last whole character, never inside one.
 * For filling the inline string fields and the error/reason buffers. */
static inline void tbot_copy_string(char *dst, size_t cap, const char *src) {
    size_t i = 0;
    if (dst == NULL || cap == 0) return;
    if (src != NULL) {
        for (; i + 1 < cap && src[i] != '\0'; i++) dst[i] = src[i];
        if (src[i] != '\0') {
            /* Truncated: back up over a character whose bytes did not all fit. */
            size_t start = i;
            while (start > 0 && ((unsigned char)dst[start - 1] & 0xC0) == 0x80) start--;
            if (start > 0 && (unsigned char)dst[start - 1] >= 0xC0) {
                unsigned char lead = (unsigned char)dst[start - 1];
                size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
                if (i - (start - 1) < length) i = start - 1;
            }
        }
    }
    dst[i] = '\0';
}

/* ------------------------------------------------------------------------- */
/* Scalar types and constants                                                 */
/* ------------------------------------------------------------------------- */

/* Status codes returned by every fallible call. Messages go to the caller's buffer. */
typedef int32_t tbot_status_t;
#define TBOT_OK 0
#define TBOT_ERR_INVALID_ARGUMENT 1 /* the host passed something the plugin rejects */
#define TBOT_ERR_UNSUPPORTED 2      /* the operation is not offered by this plugin */
#define TBOT_ERR_NOT_FOUND 3        /* unknown order id, symbol, ... */
#define TBOT_ERR_REJECTED 4         /* a broker refused the request (business rule) */
#define TBOT_ERR_TRANSIENT 5        /* try again later: network, rate limit, timeout */
#define TBOT_ERR_INTERNAL 6         /* plugin bug or unexpected state; not retried */
#define TBOT_ERR_FATAL 7            /* stop using this instance; for filters: block */

/* Plugin kinds. */
typedef int32_t tbot_kind_t;
#define TBOT_KIND_STRATEGY 1
#define TBOT_KIND_FILTER 2
#define TBOT_KIND_BROKER 3

/* Log levels for tbot_host_t.log. */
typedef int32_t tbot_log_level_t;
#define TBOT_LOG_DEBUG 0
#define TBOT_LOG_INFO 1
#define TBOT_LOG_WARNING 2
#define TBOT_LOG_ERROR 3

/* Money: int64 in units of 1/10000 of the account currency (0.0001 USD).
 * 1.00 USD == 10000. The host converts to the ledger's minor units. */
typedef int64_t tbot_money_t;
#define TBOT_MONEY_SCALE 10000LL

/* Quantities: int64 in units of 1e-9 share, enough for any broker's fractional
 * precision. 1 share == 1000000000. Whole-share brokers see multiples of the scale. */
typedef int64_t tbot_qty_t;
#define TBOT_QTY_SCALE 1000000000LL

/* Timestamps: nanoseconds since 1970-01-01T00:00:00Z (UTC). */
typedef int64_t tbot_time_ns_t;

/* Trade direction of an intent or order. */
typedef int32_t tbot_side_t;
#define TBOT_SIDE_BUY 1  /* long entry, or exit of a short */
#define TBOT_SIDE_SELL 2 /* short entry (routed by the host's SHORT_TYPE), or exit of a long */

/* Fixed capacities of inline strings written by plugins into host memory.
 * Each holds a NUL-terminated UTF-8 string; the writer truncates to fit. */
#define TBOT_SYMBOL_CAP 32
#define TBOT_TAG_CAP 64
#define TBOT_ORDER_ID_CAP 64
#define TBOT_REASON_CAP 256

/* ------------------------------------------------------------------------- */
/* Host services (handed to create)                                           */
/* ------------------------------------------------------------------------- */

/* One key/value parameter from the manifest's [params] table, as text exactly as
 * written (a TOML string without quotes, a number or bool as its literal).
 * Frozen: this struct never gains fields, because plugins index the host's array
 * with their own sizeof(tbot_param_t). New per-parameter data would come as a new
 * struct reached through an extension.
 * Ownership: the host owns key and value (NUL-terminated UTF-8); valid only during
 * create. Copy what you keep. */
typedef struct tbot_param {
    uint32_t size;
    const char *key;
    const char *value;
} tbot_param_t;

typedef struct tbot_params {
    uint32_t size;
    uint32_t count;
    const tbot_param_t *items; /* `count` entries, host-owned, valid only during create */
} tbot_params_t;

/* Services the host offers a plugin instance. The host owns the table; it stays
 * valid from create until destroy returns, so a plugin may keep the pointer. */
typedef struct tbot_host {
    uint32_t size;
    uint32_t abi_major; /* the host's ABI version */
    uint32_t abi_minor;
    void *host_ctx; /* opaque; pass back as the first argument of every service */

    /* Writes one line to the host log, tagged with the plugin id. `message` is
     * NUL-terminated UTF-8, copied before return. Never fails. */
    void (*log)(void *host_ctx, tbot_log_level_t level, const char *message);

    /* The host clock: UTC nanoseconds. Simulated in backtests and replays, so it is
     * the only time a plugin may use. */
    tbot_time_ns_t (*now_ns)(void *host_ctx);

    /* Looks up a runtime configuration key (the .env_bot names, e.g. "MAX_TRADES").
     * Writes the value as NUL-terminated text into out[0..out_cap) and its full
     * length (without NUL) into *out_len. Returns TBOT_OK, TBOT_ERR_NOT_FOUND for an
     * unknown key, or TBOT_ERR_INVALID_ARGUMENT when out_cap is too small (then
     * *out_len still tells the size needed). Secrets are never returned.
     * Since ABI 1.2 the key "TBOT_RUN_MODE" answers paper, live or backtest: a broker
     * that can reach a live account must use it only when this says live. */
    tbot_status_t (*config_get)(void *host_ctx, const char *key, char *out, uint32_t out_cap,
                                uint32_t *out_len);

    /* Asks the host for an optional service table by id (for example an indicator
     * library in a later minor). Returns NULL when the host does not offer it.
     * The returned table is host-owned and lives as long as this tbot_host_t. */
    const void *(*get_extension)(void *host_ctx, const char *extension_id);
} tbot_host_t;

/* ------------------------------------------------------------------------- */
/* Market data shared by all kinds                                            */
/* ------------------------------------------------------------------------- */

/* One OHLCV bar. Host-owned, valid only during the call it is passed to.
 * While a bar is delivered (to a simulated broker, strategies and filters) the host
 * clock reads the bar's end, start_ns + interval_seconds: a plugin sees the time at
 * which the bar became known, live or in a replay.
 * The host never sends a symbol longer than TBOT_SYMBOL_CAP - 1 bytes, so every
 * symbol fits the inline fields of intents, positions, orders and fills. */
typedef struct tbot_bar {
    uint32_t size;
    uint32_t interval_seconds; /* 60 for one-minute bars, 86400 for daily; 0 if unknown */
    const char *symbol;        /* NUL-terminated UTF-8 */
    tbot_time_ns_t start_ns;   /* bar start, UTC */
    double open;
    double high;
    double low;
    double close;
    double volume; /* shares traded in the bar */
    /* ABI 1.3: the host's number for `symbol`, never 0 in a bar the host delivers: the same
     * for every bar of the symbol for the life of the host process, and different for
     * different symbols. A plugin may key per-symbol state by it instead of comparing names
     * on every bar. Read it only when TBOT_HAS_FIELD(bar, tbot_bar_t, symbol_id); 0 means
     * no number (compare names). Bars a plugin emits (tbot_bar_sink_t) leave it 0. */
    uint32_t symbol_id;
} tbot_bar_t;

/* A strategy session window (OPEN, MID, CLOSE, or a backtest). Host-owned, valid
 * only during the call. */
typedef struct tbot_session {
    uint32_t size;
    const char *name;          /* "open", "mid", "close", "backtest"; NUL-terminated */
    tbot_time_ns_t start_ns;   /* UTC */
    tbot_time_ns_t end_ns;     /* UTC; bars at or after it are not delivered */
} tbot_session_t;

/* ------------------------------------------------------------------------- */
/* Intents (strategy output, filter input)                                    */
/* ------------------------------------------------------------------------- */

typedef int32_t tbot_intent_action_t;
#define TBOT_INTENT_ENTER 1 /* open a position in `side` */
#define TBOT_INTENT_EXIT 2  /* close the strategy's open position in `symbol` */

/* A trade intent: what a strategy would like to do. The host sizes every order; a
 * strategy may only cap the size (max_quantity, ABI 1.1), never set it. Written by the plugin in its own memory and handed to
 * the host through tbot_intent_sink_t.emit, which copies it before returning.
 * The host drops (and logs) an intent that breaks any of these rules:
 *   action and side are one of the constants below; rank >= 1;
 *   symbol is 1 to TBOT_SYMBOL_CAP - 1 bytes of A-Z, 0-9, '.', '/', '-' or space
 *   (space for OCC option symbols); prices are finite and >= 0;
 *   confidence is within 0.0 .. 1.0. */
typedef struct tbot_intent {
    uint32_t size;
    tbot_intent_action_t action;
    tbot_side_t side;
    uint32_t rank;                  /* 1 = best candidate of this call; ties keep emit order */
    char symbol[TBOT_SYMBOL_CAP];   /* NUL-terminated */
    double entry_price;             /* expected entry; 0 = market */
    double stop_price;              /* protective stop; 0 = none (the host may reject) */
    double target_price;            /* take-profit; 0 = none */
    double confidence;              /* 0.0 .. 1.0 */
    char tag[TBOT_TAG_CAP];         /* strategy's label for the signal, NUL-terminated */
    /* ABI 1.1: the most the host may size this entry to, in TBOT_QTY_SCALE units
     * (a "fixed size" strategy sets its size here); 0 = no cap. The host's risk
     * sizing still applies and may size lower. Ignored on EXIT. */
    tbot_qty_t max_quantity;
} tbot_intent_t;

/* Host-owned collector of intents. Valid only during the call it is passed to.
 * emit copies *intent; it returns TBOT_OK, or TBOT_ERR_INVALID_ARGUMENT when the
 * intent is malformed (the host logs why and drops it). */
typedef struct tbot_intent_sink {
    uint32_t size;
    void *sink_ctx;
    tbot_status_t (*emit)(void *sink_ctx, const tbot_intent_t *intent);
} tbot_intent_sink_t;

/* ------------------------------------------------------------------------- */
/* Strategy function table (kind == TBOT_KIND_STRATEGY)                       */
/* ------------------------------------------------------------------------- */

/* Every function: `err` is a host-owned buffer of err_cap bytes for a NUL-terminated
 * message when the status is not TBOT_OK. */
typedef struct tbot_strategy_api {
    uint32_t size;

    /* A session begins; reset per-session state. */
    tbot_status_t (*session_start)(void *instance, const tbot_session_t *session, char *err,
                                   uint32_t err_cap);

    /* One new bar. Emit zero or more ranked intents through `sink`.
     * On a status other than TBOT_OK the host logs the message and discards every
     * intent emitted during this call; TBOT_ERR_FATAL also stops the strategy for the
     * rest of the session. The same holds for session_start and session_end. */
    tbot_status_t (*on_bar)(void *instance, const tbot_bar_t *bar, const tbot_intent_sink_t *sink,
                            char *err, uint32_t err_cap);

    /* The session ends; emit exits the strategy wants before the host flattens. */
    tbot_status_t (*session_end)(void *instance, const tbot_session_t *session,
                                 const tbot_intent_sink_t *sink, char *err, uint32_t err_cap);
} tbot_strategy_api_t;

/* ------------------------------------------------------------------------- */
/* Filter function table (kind == TBOT_KIND_FILTER)                           */
/* ------------------------------------------------------------------------- */

/* What a filter sees besides the intent. Host-owned, valid only during the call. */
typedef struct tbot_market_context {
    uint32_t size;
    tbot_time_ns_t now_ns;      /* host clock, UTC */
    const tbot_bar_t *last_bar; /* latest bar of the intent's symbol; NULL if none */
    double vix;                 /* latest VIX close; NaN when no VIX series is configured */
} tbot_market_context_t;

typedef int32_t tbot_verdict_t;
#define TBOT_VERDICT_ALLOW 1
#define TBOT_VERDICT_BLOCK 2

typedef struct tbot_filter_api {
    uint32_t size;

    /* Decides on one intent. On TBOT_OK, *verdict is ALLOW or BLOCK and `reason`
     * (host buffer, reason_cap bytes) holds a NUL-terminated explanation (required
     * for BLOCK). Any other status is a filter error: the host logs it and lets the
     * intent proceed, except TBOT_ERR_FATAL, which blocks it. */
    tbot_status_t (*evaluate)(void *instance, const tbot_intent_t *intent,
                              const tbot_market_context_t *context, tbot_verdict_t *verdict,
                              char *reason, uint32_t reason_cap);
} tbot_filter_api_t;

/* ABI 1.1: a filter that needs market history (ADX, Bollinger bands, ...) offers this
 * table through get_extension(TBOT_EXT_FILTER_BARS). The host then delivers every bar
 * to it, in time order, after the simulated broker and before strategies see the bar,
 * so evaluate() can judge an intent with indicators that include the current bar.
 * session_start may be NULL. A status other than TBOT_OK is logged; the filter keeps
 * receiving bars. */
#define TBOT_EXT_FILTER_BARS "tbot.filter.bars"
typedef struct tbot_filter_bars {
    uint32_t size;
    tbot_status_t (*on_bar)(void *instance, const tbot_bar_t *bar, char *err, uint32_t err_cap);
    tbot_status_t (*session_start)(void *instance, const tbot_session_t *session, char *err,
                                   uint32_t err_cap);
} tbot_filter_bars_t;

/* ------------------------------------------------------------------------- */
/* Broker function table (kind == TBOT_KIND_BROKER)                           */
/* ------------------------------------------------------------------------- */

typedef struct tbot_account {
    uint32_t size;
    tbot_money_t cash;
    tbot_money_t equity;       /* cash + market value of positions */
    tbot_money_t buying_power;
    char currency[8];          /* ISO 4217, NUL-terminated, e.g. "USD" */
} tbot_account_t;

typedef struct tbot_position {
    uint32_t size;
    char symbol[TBOT_SYMBOL_CAP];
    tbot_qty_t quantity;        /* signed: negative is short */
    double average_entry_price;
    double last_price;
    tbot_money_t market_value;  /* signed like quantity */
} tbot_position_t;

/* Collector of positions. Host-owned; valid only during the call; emit copies.
 * (emit returns nothing in ABI 1.x: the host accepts every well-formed position.) */
typedef struct tbot_position_sink {
    uint32_t size;
    void *sink_ctx;
    void (*emit)(void *sink_ctx, const tbot_position_t *position);
} tbot_position_sink_t;

typedef int32_t tbot_order_type_t;
#define TBOT_ORDER_MARKET 1
#define TBOT_ORDER_LIMIT 2
#define TBOT_ORDER_STOP 3
#define TBOT_ORDER_STOP_LIMIT 4
#define TBOT_ORDER_TRAILING_STOP 5

typedef int32_t tbot_time_in_force_t;
#define TBOT_TIF_DAY 1
#define TBOT_TIF_GTC 2
#define TBOT_TIF_IOC 3

typedef int32_t tbot_order_status_t;
#define TBOT_ORDER_NEW 1
#define TBOT_ORDER_PARTIALLY_FILLED 2
#define TBOT_ORDER_FILLED 3
#define TBOT_ORDER_CANCELED 4
#define TBOT_ORDER_REJECTED 5
#define TBOT_ORDER_EXPIRED 6
#define TBOT_ORDER_PENDING_CANCEL 7

/* An order the host wants placed. Host-owned, valid only during submit_order. */
typedef struct tbot_order_request {
    uint32_t size;
    const char *client_order_id; /* host-generated, unique, NUL-terminated */
    const char *symbol;          /* NUL-terminated */
    tbot_side_t side;
    tbot_order_type_t type;
    tbot_time_in_force_t time_in_force;
    tbot_qty_t quantity;         /* > 0, sized by the host */
    double limit_price;          /* LIMIT, STOP_LIMIT; else 0 */
    double stop_price;           /* STOP, STOP_LIMIT; else 0 */
    double trail_percent;        /* TRAILING_STOP; else 0 */
    double take_profit_price;    /* bracket leg; 0 = none */
    double stop_loss_price;      /* bracket leg; 0 = none */
} tbot_order_request_t;

/* An order as the broker reports it. Written by the plugin into host memory. */
typedef struct tbot_order {
    uint32_t size;
    char order_id[TBOT_ORDER_ID_CAP];        /* broker's id, NUL-terminated */
    char client_order_id[TBOT_ORDER_ID_CAP]; /* echoed from the request */
    char symbol[TBOT_SYMBOL_CAP];
    tbot_side_t side;
    tbot_order_type_t type;
    tbot_order_status_t status;
    tbot_qty_t quantity;
    tbot_qty_t filled_quantity;
    double average_fill_price;               /* 0 until something filled */
    tbot_time_ns_t submitted_ns;
    tbot_time_ns_t updated_ns;
    char reject_reason[TBOT_REASON_CAP];     /* when status == REJECTED */
} tbot_order_t;

/* One execution. Written by the plugin; delivered through tbot_fill_sink_t. */
typedef struct tbot_fill {
    uint32_t size;
    char fill_id[TBOT_ORDER_ID_CAP];   /* unique per broker, NUL-terminated */
    char order_id[TBOT_ORDER_ID_CAP];
    char symbol[TBOT_SYMBOL_CAP];
    tbot_side_t side;
    tbot_qty_t quantity;
    double price;
    tbot_money_t fee;                  /* commission and regulatory fees, >= 0 */
    tbot_time_ns_t time_ns;            /* UTC */
} tbot_fill_t;

/* Collector of fills. Host-owned; valid only during the call; emit copies. */
typedef struct tbot_fill_sink {
    uint32_t size;
    void *sink_ctx;
    void (*emit)(void *sink_ctx, const tbot_fill_t *fill);
} tbot_fill_sink_t;

/* Minimums a broker enforces for one symbol. */
typedef struct tbot_order_minimum {
    uint32_t size;
    tbot_qty_t min_quantity;     /* smallest quantity accepted, e.g. 1 share or 1e-9 */
    tbot_money_t min_notional;   /* smallest order value accepted, e.g. 1.00 USD */
} tbot_order_minimum_t;

/* Output structs (tbot_account_t, tbot_order_t, tbot_order_minimum_t) are allocated
 * by the host, which sets `size` to what it allocated before the call. The plugin
 * writes only fields that fit (TBOT_HAS_FIELD on the host's struct) and leaves
 * `size` as the host set it. */
/* A broker call returning TBOT_ERR_FATAL halts trading on that broker for the rest
 * of the trading day: the host places no new orders through the instance. */
typedef struct tbot_broker_api {
    uint32_t size;

    tbot_status_t (*get_account)(void *instance, tbot_account_t *out, char *err, uint32_t err_cap);

    /* Emits every open position, then returns. */
    tbot_status_t (*list_positions)(void *instance, const tbot_position_sink_t *sink, char *err,
                                    uint32_t err_cap);

    /* Places an order. On TBOT_OK *out describes it (it may already be FILLED or
     * REJECTED). TBOT_ERR_TRANSIENT means the outcome is unknown (a timeout, a garbled
     * answer): the host may retry with the same client_order_id, and the plugin must
     * treat that id as an idempotency key so a retry never places a second order. */
    tbot_status_t (*submit_order)(void *instance, const tbot_order_request_t *request,
                                  tbot_order_t *out, char *err, uint32_t err_cap);

    /* Requests cancellation; the order's later status tells the outcome. */
    tbot_status_t (*cancel_order)(void *instance, const char *order_id, char *err, uint32_t err_cap);

    tbot_status_t (*get_order)(void *instance, const char *order_id, tbot_order_t *out, char *err,
                               uint32_t err_cap);

    /* Emits every fill with time_ns >= since_ns, oldest first. */
    tbot_status_t (*list_fills)(void *instance, tbot_time_ns_t since_ns, const tbot_fill_sink_t *sink,
                                char *err, uint32_t err_cap);

    /* Per-symbol eligibility. *out is 1 for yes, 0 for no. */
    tbot_status_t (*is_tradable)(void *instance, const char *symbol, int32_t *out, char *err,
                                 uint32_t err_cap);
    tbot_status_t (*supports_fractional)(void *instance, const char *symbol, int32_t *out,
                                         char *err, uint32_t err_cap);
    tbot_status_t (*min_order_size)(void *instance, const char *symbol, tbot_order_minimum_t *out,
                                    char *err, uint32_t err_cap);
} tbot_broker_api_t;

/* ------------------------------------------------------------------------- */
/* Extensions (capabilities discovered by id)                                 */
/* ------------------------------------------------------------------------- */

/* Flag capabilities: a broker returns a non-NULL pointer to a static
 * tbot_capability_t when it has the capability, NULL otherwise. */
typedef struct tbot_capability {
    uint32_t size;
    const char *id; /* the id that was asked for */
} tbot_capability_t;

#define TBOT_EXT_BROKER_SHORT_SELLING "tbot.broker.short_selling"
#define TBOT_EXT_BROKER_OPTIONS "tbot.broker.options"
#define TBOT_EXT_BROKER_STREAMING_BARS "tbot.broker.streaming_bars"
#define TBOT_EXT_BROKER_FRACTIONAL "tbot.broker.fractional" /* any symbol at all */

/* Simulated brokers (paper, backtest) receive the market from the host: every bar
 * goes to on_bar before strategies see it, so fills happen at prices the
 * simulation has seen. Returned by get_extension(TBOT_EXT_BROKER_SIMULATION). */
#define TBOT_EXT_BROKER_SIMULATION "tbot.broker.simulation"
typedef struct tbot_broker_simulation {
    uint32_t size;
    tbot_status_t (*on_bar)(void *instance, const tbot_bar_t *bar, char *err, uint32_t err_cap);
} tbot_broker_simulation_t;

/* Market data from a live broker (ABI 1.2). The host polls it during a live session.
 * Returned by get_extension(TBOT_EXT_BROKER_BARS). */
#define TBOT_EXT_BROKER_BARS "tbot.broker.bars"

/* Collector of bars. Host-owned; valid only during the call; emit copies the bar,
 * including its symbol. */
typedef struct tbot_bar_sink {
    uint32_t size;
    void *sink_ctx;
    void (*emit)(void *sink_ctx, const tbot_bar_t *bar);
} tbot_bar_sink_t;

typedef struct tbot_broker_bars {
    uint32_t size;
    /* Emits the complete bars of `symbol` whose start_ns lies in [start_ns, end_ns),
     * oldest first, with the given interval (60 = one minute). A bar still forming is
     * not emitted. */
    tbot_status_t (*list_bars)(void *instance, const char *symbol, uint32_t interval_seconds,
                               tbot_time_ns_t start_ns, tbot_time_ns_t end_ns,
                               const tbot_bar_sink_t *sink, char *err, uint32_t err_cap);
} tbot_broker_bars_t;

/* The market's clock as the broker reports it (ABI 1.2). The host's watchdog uses it
 * as the broker heartbeat when present (get_account otherwise). */
#define TBOT_EXT_BROKER_CLOCK "tbot.broker.clock"
typedef struct tbot_market_clock {
    uint32_t size;
    int32_t is_open;             /* 1 while the market is open */
    tbot_time_ns_t timestamp_ns; /* the broker's current time, UTC */
    tbot_time_ns_t next_open_ns; /* UTC */
    tbot_time_ns_t next_close_ns;
} tbot_market_clock_t;

typedef struct tbot_broker_clock {
    uint32_t size;
    tbot_status_t (*market_clock)(void *instance, tbot_market_clock_t *out, char *err,
                                  uint32_t err_cap);
} tbot_broker_clock_t;

/* Per-symbol short eligibility (ABI 1.2). *out is 1 when the broker lets the account
 * sell the symbol short now. */
#define TBOT_EXT_BROKER_ASSETS "tbot.broker.assets"
typedef struct tbot_broker_assets {
    uint32_t size;
    tbot_status_t (*is_shortable)(void *instance, const char *symbol, int32_t *out, char *err,
                                  uint32_t err_cap);
} tbot_broker_assets_t;

/* What the broker said about the last failed call on this instance (ABI 1.2), so the
 * host can classify and pace its retries. Call it right after a status other than
 * TBOT_OK; the plugin fills the host-allocated struct (TBOT_HAS_FIELD rules). */
#define TBOT_EXT_BROKER_FAULTS "tbot.broker.faults"
typedef struct tbot_fault {
    uint32_t size;
    int32_t http_status;    /* the HTTP status of the last response, 0 when none came */
    int32_t timed_out;      /* 1 when the call ran out of time (API_TIMEOUT) */
    int64_t retry_after_ms; /* the broker's Retry-After, -1 when it gave none */
    char code[32];          /* the broker's own error code as text, NUL-terminated, may be empty */
} tbot_fault_t;

typedef struct tbot_broker_faults {
    uint32_t size;
    void (*last_fault)(void *instance, tbot_fault_t *out);
} tbot_broker_faults_t;

/* ------------------------------------------------------------------------- */
/* The descriptor and the entry symbol                                        */
/* ------------------------------------------------------------------------- */

typedef struct tbot_plugin_descriptor {
    uint32_t abi_major; /* TBOT_ABI_VERSION_MAJOR the plugin was built with */
    uint32_t abi_minor; /* TBOT_ABI_VERSION_MINOR the plugin was built with */
    uint32_t size;      /* sizeof(tbot_plugin_descriptor_t) as the plugin compiled it */
    tbot_kind_t kind;

    /* NUL-terminated UTF-8, static for the life of the loaded library.
     * id: [a-z0-9_]+, unique across plugins, used by manifests and the CLI. */
    const char *id;
    const char *name;
    const char *version; /* the plugin's own version, e.g. "1.2.0" */
    const char *description;

    /* Creates an instance. `host` stays valid until destroy returns. `params` is
     * valid only during this call. Returns NULL on failure with a NUL-terminated
     * reason in err[0..err_cap). The instance is owned by the plugin. */
    void *(*create)(const tbot_host_t *host, const tbot_params_t *params, char *err,
                    uint32_t err_cap);

    /* Frees an instance. The host calls no function on it afterwards. */
    void (*destroy)(void *instance);

    /* Called once, right after create and before any other call. Validates
     * parameters and environment. Returns TBOT_OK to pass; otherwise writes the
     * reason into reason[0..reason_cap) and the host blocks the plugin. */
    tbot_status_t (*self_check)(void *instance, char *reason, uint32_t reason_cap);

    /* Optional capability lookup; NULL when the plugin has none at all. Returns a
     * plugin-owned table that lives as long as the instance, or NULL. */
    const void *(*get_extension)(void *instance, const char *extension_id);

    /* The kind's function table: const tbot_strategy_api_t *, tbot_filter_api_t * or
     * tbot_broker_api_t *, static for the life of the library. */
    const void *functions;
} tbot_plugin_descriptor_t;

/* Signature of the exported entry. It must be callable any number of times, from
 * any thread, before any instance exists, and always return the same descriptor,
 * which stays valid while the library is loaded. It is idempotent and thread-safe:
 * it may initialise its own static data once, but must not log, call the host or
 * depend on anything else. */
typedef const tbot_plugin_descriptor_t *(*tbot_plugin_entry_fn)(void);

/* The entry's prototype, for C and C++ plugins. Hidden from Swift, which defines the
 * symbol itself with @_cdecl("tbot_plugin_entry"). */
#ifndef __swift__
TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void);
#endif

#ifdef __cplusplus
}
#endif

#endif /* TBOT_PLUGIN_H */
