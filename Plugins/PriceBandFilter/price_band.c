/*
 * price_band.c - filter that blocks entries priced outside [min_price, max_price].
 *
 * Bounds come from the manifest params, else from the runtime configuration
 * (MIN_PRICE / MAX_PRICE), else default to 5 and 100. Exits always pass: a filter
 * must never trap a position.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tbot_plugin.h>

#define DEFAULT_MIN_PRICE 5.0
#define DEFAULT_MAX_PRICE 100.0

typedef struct price_band {
    double min_price;
    double max_price;
} price_band_t;

/* Whole text must be a finite number; no leading blanks. */
static int parse_decimal(const char *text, double *out) {
    char *end = NULL;
    if (text == NULL || text[0] == '\0' || isspace((unsigned char)text[0])) return 0;
    double value = strtod(text, &end);
    if (*end != '\0' || !isfinite(value)) return 0;
    *out = value;
    return 1;
}

/* Fills *out from config key `key` when present. Returns 0 with a message on error. */
static int from_config(const tbot_host_t *host, const char *key, double *out, char *err,
                       uint32_t err_cap) {
    char value[64];
    char msg[TBOT_REASON_CAP];
    uint32_t len = 0;
    if (host == NULL || host->config_get == NULL) return 1;
    tbot_status_t status = host->config_get(host->host_ctx, key, value, sizeof value, &len);
    if (status == TBOT_ERR_NOT_FOUND) return 1; /* keep the default */
    if (status != TBOT_OK) {
        snprintf(msg, sizeof msg, "cannot read %s from the configuration (status %d, length %u)",
                 key, (int)status, (unsigned)len);
        tbot_copy_string(err, err_cap, msg);
        return 0;
    }
    if (!parse_decimal(value, out)) {
        snprintf(msg, sizeof msg, "invalid value '%s' for %s in the configuration: expected a decimal",
                 value, key);
        tbot_copy_string(err, err_cap, msg);
        return 0;
    }
    return 1;
}

static void *band_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                         uint32_t err_cap) {
    char msg[TBOT_REASON_CAP];
    int have_min = 0, have_max = 0;
    price_band_t *band = calloc(1, sizeof *band);
    if (band == NULL) {
        tbot_copy_string(err, err_cap, "out of memory");
        return NULL;
    }
    band->min_price = DEFAULT_MIN_PRICE;
    band->max_price = DEFAULT_MAX_PRICE;
    for (uint32_t i = 0; params != NULL && i < params->count; i++) {
        const char *key = params->items[i].key ? params->items[i].key : "";
        const char *value = params->items[i].value ? params->items[i].value : "";
        double *target = NULL;
        if (strcmp(key, "min_price") == 0) {
            target = &band->min_price;
            have_min = 1;
        } else if (strcmp(key, "max_price") == 0) {
            target = &band->max_price;
            have_max = 1;
        } else {
            snprintf(msg, sizeof msg, "unknown parameter '%s' (value '%s')", key, value);
            goto fail;
        }
        if (!parse_decimal(value, target)) {
            snprintf(msg, sizeof msg, "invalid value '%s' for %s: expected a decimal", value, key);
            goto fail;
        }
    }
    if (!have_min && !from_config(host, "MIN_PRICE", &band->min_price, err, err_cap)) {
        free(band);
        return NULL;
    }
    if (!have_max && !from_config(host, "MAX_PRICE", &band->max_price, err, err_cap)) {
        free(band);
        return NULL;
    }
    return band;
fail:
    tbot_copy_string(err, err_cap, msg);
    free(band);
    return NULL;
}

static void band_destroy(void *instance) {
    free(instance);
}

static tbot_status_t band_self_check(void *instance, char *reason, uint32_t reason_cap) {
    const price_band_t *band = instance;
    char msg[TBOT_REASON_CAP];
    if (!(band->min_price > 0.0)) {
        snprintf(msg, sizeof msg, "min_price (%g) must be greater than 0", band->min_price);
    } else if (!(band->min_price < band->max_price)) {
        snprintf(msg, sizeof msg, "min_price (%g) must be below max_price (%g)", band->min_price,
                 band->max_price);
    } else {
        return TBOT_OK;
    }
    tbot_copy_string(reason, reason_cap, msg);
    return TBOT_ERR_INVALID_ARGUMENT;
}

static tbot_status_t band_evaluate(void *instance, const tbot_intent_t *intent,
                                   const tbot_market_context_t *context, tbot_verdict_t *verdict,
                                   char *reason, uint32_t reason_cap) {
    const price_band_t *band = instance;
    char msg[TBOT_REASON_CAP];
    if (intent == NULL || verdict == NULL) {
        tbot_copy_string(reason, reason_cap, "evaluate needs an intent and a verdict");
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    if (intent->action == TBOT_INTENT_EXIT) {
        *verdict = TBOT_VERDICT_ALLOW;
        tbot_copy_string(reason, reason_cap, "exits are never gated");
        return TBOT_OK;
    }
    if (intent->action != TBOT_INTENT_ENTER) {
        snprintf(msg, sizeof msg, "unknown intent action %d", (int)intent->action);
        tbot_copy_string(reason, reason_cap, msg);
        return TBOT_ERR_INVALID_ARGUMENT;
    }

    /* entry_price 0 means "at market": judge by the latest close instead. */
    double price = intent->entry_price;
    if (price == 0.0 && context != NULL &&
        TBOT_HAS_FIELD(context, tbot_market_context_t, last_bar) && context->last_bar != NULL) {
        price = context->last_bar->close;
    }
    if (price == 0.0 || !isfinite(price)) {
        snprintf(msg, sizeof msg, "no price for %.*s: entry_price is 0 and there is no last bar",
                 TBOT_SYMBOL_CAP, intent->symbol);
        tbot_copy_string(reason, reason_cap, msg);
        return TBOT_ERR_INVALID_ARGUMENT;
    }

    if (price < band->min_price) {
        *verdict = TBOT_VERDICT_BLOCK;
        snprintf(msg, sizeof msg, "entry %.2f below min_price %.2f", price, band->min_price);
    } else if (price > band->max_price) {
        *verdict = TBOT_VERDICT_BLOCK;
        snprintf(msg, sizeof msg, "entry %.2f above max_price %.2f", price, band->max_price);
    } else {
        *verdict = TBOT_VERDICT_ALLOW;
        snprintf(msg, sizeof msg, "entry %.2f within %.2f..%.2f", price, band->min_price,
                 band->max_price);
    }
    tbot_copy_string(reason, reason_cap, msg);
    return TBOT_OK;
}

static const tbot_filter_api_t band_functions = {
    .size = sizeof(tbot_filter_api_t),
    .evaluate = band_evaluate,
};

static const tbot_plugin_descriptor_t band_descriptor = {
    .abi_major = TBOT_ABI_VERSION_MAJOR,
    .abi_minor = TBOT_ABI_VERSION_MINOR,
    .size = sizeof(tbot_plugin_descriptor_t),
    .kind = TBOT_KIND_FILTER,
    .id = "price_band",
    .name = "Price band gate",
    .version = "1.0.0",
    .description = "Blocks entries priced below min_price or above max_price; exits always pass.",
    .create = band_create,
    .destroy = band_destroy,
    .self_check = band_self_check,
    .get_extension = NULL,
    .functions = &band_functions,
};

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void);

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) {
    return &band_descriptor;
}
