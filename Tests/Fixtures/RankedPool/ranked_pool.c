/*
 * ranked_pool.c - pipeline test fixture: a strategy that emits one ranked pool of entry
 * intents, once per session, on the first bar of its `trigger` symbol. `pool` lists the
 * candidates best first as SYMBOL@PRICE (the intent's entry price; a bare SYMBOL takes the
 * trigger bar's close). `side` is buy or sell. Stops sit 1% on the losing side of the entry,
 * targets 3% on the winning side, so every candidate passes the reward:risk rule and the
 * risk engine's other rules decide.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tbot_plugin.h>

#define POOL_CAP 32

typedef struct candidate {
    char symbol[TBOT_SYMBOL_CAP];
    double price; /* 0: market */
} candidate_t;

typedef struct fixture {
    char trigger[TBOT_SYMBOL_CAP];
    candidate_t pool[POOL_CAP];
    uint32_t count;
    tbot_side_t side;
    int emitted;
} fixture_t;

static int parse_pool(fixture_t *f, const char *text, char *msg, size_t cap) {
    char copy[1024];
    tbot_copy_string(copy, sizeof copy, text);
    for (char *item = strtok(copy, ","); item != NULL; item = strtok(NULL, ",")) {
        if (f->count == POOL_CAP) {
            snprintf(msg, cap, "pool has more than %d candidates", POOL_CAP);
            return 0;
        }
        candidate_t *c = &f->pool[f->count++];
        char *at = strchr(item, '@');
        if (at != NULL) {
            *at = '\0';
            c->price = strtod(at + 1, NULL);
        }
        tbot_copy_string(c->symbol, sizeof c->symbol, item);
    }
    return 1;
}

static void *fixture_create(const tbot_host_t *host, const tbot_params_t *params, char *err, uint32_t err_cap) {
    char msg[TBOT_REASON_CAP];
    (void)host;
    fixture_t *f = calloc(1, sizeof *f);
    if (f == NULL) {
        tbot_copy_string(err, err_cap, "out of memory");
        return NULL;
    }
    f->side = TBOT_SIDE_BUY;
    for (uint32_t i = 0; params != NULL && i < params->count; i++) {
        const char *key = params->items[i].key ? params->items[i].key : "";
        const char *value = params->items[i].value ? params->items[i].value : "";
        if (strcmp(key, "trigger") == 0) {
            tbot_copy_string(f->trigger, sizeof f->trigger, value);
        } else if (strcmp(key, "pool") == 0) {
            if (!parse_pool(f, value, msg, sizeof msg)) {
                tbot_copy_string(err, err_cap, msg);
                free(f);
                return NULL;
            }
        } else if (strcmp(key, "side") == 0) {
            f->side = strcmp(value, "sell") == 0 ? TBOT_SIDE_SELL : TBOT_SIDE_BUY;
        } else {
            snprintf(msg, sizeof msg, "unknown parameter '%s' (value '%s')", key, value);
            tbot_copy_string(err, err_cap, msg);
            free(f);
            return NULL;
        }
    }
    return f;
}

static void fixture_destroy(void *instance) { free(instance); }

static tbot_status_t fixture_self_check(void *instance, char *reason, uint32_t reason_cap) {
    const fixture_t *f = instance;
    if (f->trigger[0] != '\0' && f->count > 0) return TBOT_OK;
    tbot_copy_string(reason, reason_cap, "trigger and pool are required");
    return TBOT_ERR_INVALID_ARGUMENT;
}

static tbot_status_t fixture_session_start(void *instance, const tbot_session_t *session, char *err, uint32_t err_cap) {
    (void)session;
    (void)err;
    (void)err_cap;
    ((fixture_t *)instance)->emitted = 0;
    return TBOT_OK;
}

static tbot_status_t fixture_on_bar(void *instance, const tbot_bar_t *bar, const tbot_intent_sink_t *sink, char *err,
                                    uint32_t err_cap) {
    fixture_t *f = instance;
    (void)err;
    (void)err_cap;
    if (f->emitted || strcmp(bar->symbol, f->trigger) != 0) return TBOT_OK;
    f->emitted = 1;
    int sell = f->side == TBOT_SIDE_SELL;
    for (uint32_t i = 0; i < f->count; i++) {
        tbot_intent_t intent;
        memset(&intent, 0, sizeof intent);
        intent.size = sizeof intent;
        intent.action = TBOT_INTENT_ENTER;
        intent.side = f->side;
        intent.rank = i + 1;
        tbot_copy_string(intent.symbol, sizeof intent.symbol, f->pool[i].symbol);
        double price = f->pool[i].price > 0 ? f->pool[i].price : bar->close;
        intent.entry_price = price;
        intent.stop_price = sell ? price * 1.01 : price * 0.99;
        intent.target_price = sell ? price * 0.97 : price * 1.03;
        intent.confidence = 0.5;
        tbot_copy_string(intent.tag, sizeof intent.tag, "ranked_pool");
        sink->emit(sink->sink_ctx, &intent);
    }
    return TBOT_OK;
}

static tbot_status_t fixture_session_end(void *instance, const tbot_session_t *session, const tbot_intent_sink_t *sink,
                                         char *err, uint32_t err_cap) {
    (void)instance;
    (void)session;
    (void)sink;
    (void)err;
    (void)err_cap;
    return TBOT_OK;
}

static const tbot_strategy_api_t fixture_functions = {
    .size = sizeof(tbot_strategy_api_t),
    .session_start = fixture_session_start,
    .on_bar = fixture_on_bar,
    .session_end = fixture_session_end,
};

static const tbot_plugin_descriptor_t descriptor = {
    .abi_major = TBOT_ABI_VERSION_MAJOR,
    .abi_minor = TBOT_ABI_VERSION_MINOR,
    .size = sizeof(tbot_plugin_descriptor_t),
    .kind = TBOT_KIND_STRATEGY,
    .id = "fixture_ranked_pool",
    .name = "Ranked pool fixture",
    .version = "1.0.0",
    .description = "Emits one ranked pool of entries per session (pipeline tests)",
    .create = fixture_create,
    .destroy = fixture_destroy,
    .self_check = fixture_self_check,
    .get_extension = NULL,
    .functions = &fixture_functions,
};

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) { return &descriptor; }
