/*
 * Password hashing: Argon2id through libargon2 (its PHC encoder and its
 * constant-time verifier) and scrypt PHC strings through OpenSSL's KDF.
 * Parameters read from a stored string are bounded before use, so a
 * corrupted or planted hash cannot make a login allocate gigabytes.
 */
#include <argon2.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "auth/auth.h"
#include "core/core.h"
#include "password.h"

#define SALT_LEN       16
#define HASH_LEN       32
#define OUT_MIN        128
#define M_COST_MAX     (1024u * 1024u) /* KiB: 1 GiB */
#define T_COST_MAX     64u
#define LANES_MAX      64u
#define SCRYPT_MEM_MAX (1024u * 1024u * 1024u) /* bytes: 128 * r * N at most 1 GiB */
#define SCRYPT_LN_MAX  24u
#define SCRYPT_R_MAX   64u
#define SCRYPT_P_MAX   64u

void naxd_kdf_params_owasp(naxd_kdf_params *p)
{
    p->m_cost_kib = 19456;
    p->t_cost = 2;
    p->parallelism = 1;
}

/* ---- Argon2id ---- */

static int argon2_failure(int rc)
{
    if (rc == ARGON2_MEMORY_ALLOCATION_ERROR)
        return nax__error_oom();
    return nax__error(NAX_ERROR, "argon2: %s", argon2_error_message(rc));
}

static int argon2_params_ok(uint32_t m, uint32_t t, uint32_t p)
{
    return p >= 1 && p <= LANES_MAX && t >= 1 && t <= T_COST_MAX && m >= 8 * p && m <= M_COST_MAX;
}

int naxd_password_hash(char *out, size_t size, const char *password, const naxd_kdf_params *p)
{
    if (!out || !password)
        return nax__error(NAX_EINVAL, "naxd_password_hash: NULL argument");
    if (size < OUT_MIN)
        return nax__error(NAX_EINVAL, "naxd_password_hash: output needs %d bytes", OUT_MIN);
    out[0] = '\0';
    naxd_kdf_params owasp;
    if (!p) {
        naxd_kdf_params_owasp(&owasp);
        p = &owasp;
    }
    if (!argon2_params_ok(p->m_cost_kib, p->t_cost, p->parallelism))
        return nax__error(NAX_EINVAL, "naxd_password_hash: Argon2 parameters out of range");
    if (argon2_encodedlen(p->t_cost, p->m_cost_kib, p->parallelism, SALT_LEN, HASH_LEN, Argon2_id) >
        size)
        return nax__error(NAX_EINVAL, "naxd_password_hash: output too small");
    unsigned char salt[SALT_LEN];
    int rc = nax__random_bytes(salt, sizeof salt);
    if (rc)
        return rc;
    rc = argon2id_hash_encoded(p->t_cost, p->m_cost_kib, p->parallelism, password, strlen(password),
                               salt, sizeof salt, HASH_LEN, out, size);
    if (rc != ARGON2_OK) {
        out[0] = '\0';
        return argon2_failure(rc);
    }
    return 0;
}

/* Reads "<name>=<decimal>" at *s and moves past it; 0 when absent or too big. */
static int read_param(const char **s, const char *name, uint32_t *out)
{
    size_t n = strlen(name);
    if (strncmp(*s, name, n) != 0 || (*s)[n] != '=')
        return 0;
    const char *p = *s + n + 1;
    uint64_t v = 0;
    size_t digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > UINT32_MAX)
            return 0;
    }
    if (digits == 0 || (digits > 1 && (*s)[n + 1] == '0'))
        return 0;
    *out = (uint32_t)v;
    *s = p;
    return 1;
}

static int expect_char(const char **s, char c)
{
    if (**s != c)
        return 0;
    (*s)++;
    return 1;
}

/* Checks the parameters of "$argon2id$v=19$m=..,t=..,p=..$salt$hash"
 * before libargon2 allocates what they ask for. */
static int argon2_phc_ok(const char *phc)
{
    const char *s = phc + strlen("$argon2id$");
    uint32_t v, m, t, p;
    if (!read_param(&s, "v", &v) || v != ARGON2_VERSION_13 || !expect_char(&s, '$') ||
        !read_param(&s, "m", &m) || !expect_char(&s, ',') || !read_param(&s, "t", &t) ||
        !expect_char(&s, ',') || !read_param(&s, "p", &p) || !expect_char(&s, '$'))
        return 0;
    return argon2_params_ok(m, t, p);
}

static int verify_argon2id(const char *phc, const char *password)
{
    if (!argon2_phc_ok(phc))
        return nax__error(NAX_EINVAL, "password hash: bad Argon2id parameters");
    int rc = argon2id_verify(phc, password, strlen(password));
    if (rc == ARGON2_OK)
        return 0;
    if (rc == ARGON2_VERIFY_MISMATCH)
        return nax__error(NAX_EAUTH, "password does not match");
    if (rc == ARGON2_MEMORY_ALLOCATION_ERROR)
        return nax__error_oom();
    return nax__error(NAX_EINVAL, "password hash: %s", argon2_error_message(rc));
}

/* ---- scrypt ---- */

/* PHC strings use base64 without padding; passlib writes '.' for '+'. Both
 * are mapped onto base64url and read by its strict decoder. */
static long phc_b64_decode(unsigned char *out, size_t cap, const char *in, size_t len)
{
    char tmp[128];
    if (len > sizeof tmp)
        return -1;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        tmp[i] = c == '+' || c == '.' ? '-' : c == '/' ? '_' : c == '-' || c == '_' ? '!' : c;
    }
    return nax__base64url_decode(out, cap, tmp, len);
}

static int phc_b64_append(char *out, size_t size, size_t *pos, const unsigned char *data,
                          size_t len)
{
    nax_buf b = NAX_BUF_INIT;
    int rc = nax__base64_encode(&b, data, len);
    if (rc)
        return rc;
    while (b.len && b.data[b.len - 1] == '=')
        b.len--;
    if (b.len >= size - *pos) {
        nax_buf_dispose(&b);
        return nax__error(NAX_EINVAL, "password hash: output too small");
    }
    memcpy(out + *pos, b.data, b.len);
    *pos += b.len;
    out[*pos] = '\0';
    nax_buf_dispose(&b);
    return 0;
}

static int scrypt_params_ok(uint32_t ln, uint32_t r, uint32_t p)
{
    if (ln < 1 || ln > SCRYPT_LN_MAX || r < 1 || r > SCRYPT_R_MAX || p < 1 || p > SCRYPT_P_MAX)
        return 0;
    return (uint64_t)128 * r * ((uint64_t)1 << ln) <= SCRYPT_MEM_MAX;
}

static int scrypt_derive(unsigned char *out, size_t out_len, const char *password,
                         const unsigned char *salt, size_t salt_len, uint32_t ln, uint32_t r,
                         uint32_t p)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    EVP_KDF_free(kdf);
    if (!ctx)
        return nax__error(NAX_ERROR, "OpenSSL scrypt is not available");
    uint64_t n = (uint64_t)1 << ln;
    /* 128 * r * (N + p + 2) bytes at most, with room to spare. */
    uint64_t maxmem = (uint64_t)SCRYPT_MEM_MAX * 2;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)password,
                                          strlen(password)),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
        OSSL_PARAM_construct_end(),
    };
    int ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    return ok ? 0 : nax__error(NAX_ERROR, "OpenSSL scrypt failed");
}

int naxd_password_hash_scrypt(char *out, size_t size, const char *password, unsigned ln, unsigned r,
                              unsigned p)
{
    if (!out || !password)
        return nax__error(NAX_EINVAL, "naxd_password_hash_scrypt: NULL argument");
    if (size < OUT_MIN)
        return nax__error(NAX_EINVAL, "naxd_password_hash_scrypt: output needs %d bytes", OUT_MIN);
    out[0] = '\0';
    if (!scrypt_params_ok(ln, r, p))
        return nax__error(NAX_EINVAL, "naxd_password_hash_scrypt: parameters out of range");
    unsigned char salt[SALT_LEN], hash[HASH_LEN];
    int rc = nax__random_bytes(salt, sizeof salt);
    if (!rc)
        rc = scrypt_derive(hash, sizeof hash, password, salt, sizeof salt, ln, r, p);
    size_t pos = 0;
    if (!rc) {
        int n = snprintf(out, size, "$scrypt$ln=%u,r=%u,p=%u$", ln, r, p);
        pos = (size_t)n;
        rc = phc_b64_append(out, size, &pos, salt, sizeof salt);
    }
    if (!rc && pos + 1 < size) {
        out[pos++] = '$';
        out[pos] = '\0';
        rc = phc_b64_append(out, size, &pos, hash, sizeof hash);
    }
    OPENSSL_cleanse(hash, sizeof hash);
    if (rc)
        out[0] = '\0';
    return rc;
}

/* "$scrypt$ln=..,r=..,p=..$<salt>$<hash>" */
static int verify_scrypt(const char *phc, const char *password)
{
    const char *s = phc + strlen("$scrypt$");
    uint32_t ln, r, p;
    if (!read_param(&s, "ln", &ln) || !expect_char(&s, ',') || !read_param(&s, "r", &r) ||
        !expect_char(&s, ',') || !read_param(&s, "p", &p) || !expect_char(&s, '$'))
        return nax__error(NAX_EINVAL, "password hash: malformed scrypt parameters");
    if (!scrypt_params_ok(ln, r, p))
        return nax__error(NAX_EINVAL, "password hash: scrypt parameters out of range");
    const char *dollar = strchr(s, '$');
    if (!dollar)
        return nax__error(NAX_EINVAL, "password hash: scrypt hash missing");
    unsigned char salt[64], want[64], got[64];
    long salt_len = phc_b64_decode(salt, sizeof salt, s, (size_t)(dollar - s));
    long hash_len = phc_b64_decode(want, sizeof want, dollar + 1, strlen(dollar + 1));
    if (salt_len < 1 || hash_len < 16)
        return nax__error(NAX_EINVAL, "password hash: malformed scrypt salt or hash");
    int rc = scrypt_derive(got, (size_t)hash_len, password, salt, (size_t)salt_len, ln, r, p);
    if (rc)
        return rc;
    int equal = nax__ct_equal(got, (size_t)hash_len, want, (size_t)hash_len);
    OPENSSL_cleanse(got, sizeof got);
    return equal ? 0 : nax__error(NAX_EAUTH, "password does not match");
}

int naxd_password_verify(const char *phc, const char *password)
{
    if (!phc || !password)
        return nax__error(NAX_EINVAL, "naxd_password_verify: NULL argument");
    if (strncmp(phc, "$argon2id$", strlen("$argon2id$")) == 0)
        return verify_argon2id(phc, password);
    if (strncmp(phc, "$scrypt$", strlen("$scrypt$")) == 0)
        return verify_scrypt(phc, password);
    return nax__error(NAX_EINVAL, "password hash: unknown scheme");
}
