#ifndef TBOT_CURL_H
#define TBOT_CURL_H

/* A non-variadic SMTP sender over libcurl: Swift cannot call curl_easy_setopt (variadic).
   Thread-safe: each call uses its own easy handle; libcurl's global init runs once. */

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    TBOT_SMTP_SECURITY_NONE = 0,     /* smtp://, no TLS (local sinks only) */
    TBOT_SMTP_SECURITY_STARTTLS = 1, /* smtp:// upgraded with STARTTLS; TLS is required */
    TBOT_SMTP_SECURITY_TLS = 2       /* smtps://, implicit TLS */
} tbot_smtp_security;

/* Every pointer is owned by the caller and only read during the call. Strings are
   NUL-terminated UTF-8. The payload is the full RFC 5322 message with CRLF line ends;
   libcurl dot-stuffs lines that start with '.'. */
typedef struct {
    const char *host;
    int port;
    int security;                    /* a tbot_smtp_security value */
    const char *username;            /* NULL or "": no login */
    const char *password;            /* used only with a username */
    const char *mail_from;           /* envelope sender, bare address */
    const char *const *recipients;   /* envelope recipients, bare addresses */
    size_t recipient_count;
    const char *payload;
    size_t payload_length;
    long connect_timeout_ms;
    long timeout_ms;
} tbot_smtp_message;

/* Sends one message. Returns 0 on success, else the CURLcode; on failure `err` (capacity
   `err_cap`, may be NULL) receives curl's error text, NUL-terminated. The text never holds
   the password: credentials are passed to curl as options, never inside the URL. */
int tbot_smtp_send(const tbot_smtp_message *msg, char *err, size_t err_cap);

#ifdef __cplusplus
}
#endif

#endif
