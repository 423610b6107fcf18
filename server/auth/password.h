/*
 * Password hashing for naxd: Argon2id (libargon2) in PHC string form,
 * verified in constant time. scrypt PHC strings ($scrypt$) are verified too,
 * so stores written with OpenSSL's scrypt stay readable.
 * Thread-safe (runs on worker threads).
 */
#ifndef NAXD_PASSWORD_H
#define NAXD_PASSWORD_H

#include <stddef.h>
#include <stdint.h>

typedef struct naxd_kdf_params {
    uint32_t m_cost_kib;  /* OWASP: 19456 (19 MiB) */
    uint32_t t_cost;      /* OWASP: 2 */
    uint32_t parallelism; /* OWASP: 1 */
} naxd_kdf_params;

/* The OWASP minimum: m=19456 KiB, t=2, p=1. */
void naxd_kdf_params_owasp(naxd_kdf_params *p);

/* Hash into out (NUL-terminated PHC string, e.g. "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>").
 * 16-byte random salt, 32-byte tag. size >= 128. p NULL means the OWASP
 * parameters. 0 or NAX_EINVAL/NAX_ENOMEM/NAX_ERROR. */
int naxd_password_hash(char *out, size_t size, const char *password, const naxd_kdf_params *p);
/* scrypt in PHC form, "$scrypt$ln=17,r=8,p=1$<salt>$<hash>" (base64 without
 * padding, 16-byte salt, 32-byte hash; N = 2^ln). OWASP: ln=17, r=8, p=1.
 * Argon2id is the default; this exists for stores written with scrypt and
 * for tests. size >= 128. 0 or NAX_EINVAL/NAX_ENOMEM/NAX_ERROR. */
int naxd_password_hash_scrypt(char *out, size_t size, const char *password, unsigned ln, unsigned r,
                              unsigned p);

/* 0 when password matches phc; NAX_EAUTH when it does not; NAX_EINVAL for an
 * unparseable PHC string, an unknown scheme or parameters beyond sane bounds
 * (Argon2id m <= 1 GiB, t <= 64, p <= 64; scrypt 128*r*N <= 1 GiB), checked
 * before anything is allocated. Argon2id needs v=19. */
int naxd_password_verify(const char *phc, const char *password);

/* NA-X policy: >= 12 chars (UTF-8 code points), at most 256 bytes, with an
 * upper-case letter, a lower-case letter, a digit and a symbol (ASCII letters
 * and digits count as such; a symbol is any other printable ASCII character,
 * space included, or any non-ASCII code point). Invalid UTF-8 is refused.
 * 0 or NAX_EINVAL with a message saying what is missing (field "password"). */
int naxd_password_policy(const char *password);

#endif
