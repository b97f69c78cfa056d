#include "tbot_curl.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_OK;

static void global_init(void) { global_result = curl_global_init(CURL_GLOBAL_DEFAULT); }

typedef struct {
    const char *data;
    size_t length;
    size_t offset;
} payload_cursor;

static size_t read_payload(char *buffer, size_t size, size_t count, void *context) {
    payload_cursor *cursor = (payload_cursor *)context;
    size_t room = size * count;
    size_t left = cursor->length - cursor->offset;
    size_t n = left < room ? left : room;
    memcpy(buffer, cursor->data + cursor->offset, n);
    cursor->offset += n;
    return n;
}

static void copy_error(char *err, size_t err_cap, const char *text) {
    if (err == NULL || err_cap == 0) return;
    snprintf(err, err_cap, "%s", text);
}

int tbot_smtp_send(const tbot_smtp_message *msg, char *err, size_t err_cap) {
    if (err != NULL && err_cap > 0) err[0] = '\0';
    if (msg == NULL || msg->host == NULL || msg->mail_from == NULL || msg->payload == NULL || msg->recipient_count == 0) {
        copy_error(err, err_cap, "incomplete message: host, sender, recipients and payload are required");
        return CURLE_BAD_FUNCTION_ARGUMENT;
    }
    pthread_once(&global_once, global_init);
    if (global_result != CURLE_OK) {
        copy_error(err, err_cap, curl_easy_strerror(global_result));
        return (int)global_result;
    }
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        copy_error(err, err_cap, "curl_easy_init failed");
        return CURLE_FAILED_INIT;
    }

    char url[512];
    const char *scheme = msg->security == TBOT_SMTP_SECURITY_TLS ? "smtps" : "smtp";
    /* An IPv6 literal needs brackets in a URL. */
    const char *format = strchr(msg->host, ':') != NULL ? "%s://[%s]:%d" : "%s://%s:%d";
    snprintf(url, sizeof url, format, scheme, msg->host, msg->port);

    char errbuf[CURL_ERROR_SIZE];
    errbuf[0] = '\0';
    payload_cursor cursor = {msg->payload, msg->payload_length, 0};
    struct curl_slist *recipients = NULL;
    CURLcode result = CURLE_OK;
    for (size_t i = 0; i < msg->recipient_count && result == CURLE_OK; i++) {
        struct curl_slist *next = curl_slist_append(recipients, msg->recipients[i]);
        if (next == NULL) result = CURLE_OUT_OF_MEMORY; else recipients = next;
    }

    if (result == CURLE_OK) {
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* called from a background thread */
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_PORT, (long)msg->port);
        if (msg->security == TBOT_SMTP_SECURITY_STARTTLS) curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
        if (msg->username != NULL && msg->username[0] != '\0') {
            curl_easy_setopt(curl, CURLOPT_USERNAME, msg->username);
            curl_easy_setopt(curl, CURLOPT_PASSWORD, msg->password != NULL ? msg->password : "");
        }
        curl_easy_setopt(curl, CURLOPT_MAIL_FROM, msg->mail_from);
        curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_payload);
        curl_easy_setopt(curl, CURLOPT_READDATA, &cursor);
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg->payload_length);
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, msg->connect_timeout_ms);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, msg->timeout_ms);
        result = curl_easy_perform(curl);
    }

    if (result != CURLE_OK) {
        if (errbuf[0] != '\0') {
            char text[CURL_ERROR_SIZE + 128];
            snprintf(text, sizeof text, "%s (%s)", curl_easy_strerror(result), errbuf);
            copy_error(err, err_cap, text);
        } else {
            copy_error(err, err_cap, curl_easy_strerror(result));
        }
    }
    curl_slist_free_all(recipients);
    curl_easy_cleanup(curl);
    return (int)result;
}
