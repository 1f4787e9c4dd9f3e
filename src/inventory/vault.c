/*
 * vault.c: Ansible vault texts (format 1.1 and 1.2), decrypted with
 * OpenSSL's libcrypto.
 *
 * A vault text is a header line "$ANSIBLE_VAULT;1.1;AES256" (1.2 adds
 * ";VAULT-ID") and a body of hex lines.  The body, hex-decoded, is three
 * lines of hex: a 32-byte salt, an HMAC-SHA256 and the ciphertext.
 * PBKDF2-HMAC-SHA256 of the password and salt, 10000 iterations, gives 80
 * bytes: the AES-256 key, the HMAC key and the CTR counter block.  The HMAC
 * of the ciphertext is checked (in constant time) before AES-256-CTR
 * decrypts it; the plaintext ends with PKCS#7 padding to 16 bytes.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "drove.h"
#include "inventory/vault.h"

#define VAULT_MAGIC	"$ANSIBLE_VAULT;"
#define VAULT_ITER	10000
#define VAULT_SALT	32
#define VAULT_MAC	32

/* Whether s starts with a vault header. */
int
vault_is(const char *s)
{
	s += strspn(s, " \t\r\n");
	return strncmp(s, VAULT_MAGIC, sizeof VAULT_MAGIC - 1) == 0;
}

/* The value of hex digit c, or -1. */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Decode the hex of s (len bytes, whitespace between digits skipped) into
 * out, which holds len / 2 bytes; the byte count, or -1 on a bad digit or
 * an odd count.
 */
static long
unhex(const char *s, size_t len, unsigned char *out)
{
	size_t i, n = 0;
	int hi = -1, v;

	for (i = 0; i < len; i++) {
		if (isspace((unsigned char)s[i]))
			continue;
		if ((v = hexval((unsigned char)s[i])) < 0)
			return -1;
		if (hi < 0)
			hi = v;
		else {
			out[n++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	return hi < 0 ? (long)n : -1;
}

/* Check the header of vault text s; the start of its body, or NULL. */
static const char *
vault_header(const char *s, const char **why)
{
	const char *nl, *p;
	size_t len;

	s += strspn(s, " \t\r\n");
	if ((nl = strchr(s, '\n')) == NULL) {
		*why = "no body after the vault header";
		return NULL;
	}
	len = (size_t)(nl - s);
	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == ' '))
		len--;
	p = s + sizeof VAULT_MAGIC - 1;
	if (strncmp(p, "1.1;AES256", 10) == 0 && (size_t)(p + 10 - s) == len)
		return nl + 1;
	if (strncmp(p, "1.2;AES256;", 11) == 0 && (size_t)(p + 11 - s) < len)
		return nl + 1;
	*why = "unknown vault format: expected $ANSIBLE_VAULT;1.1;AES256 or "
	    "1.2;AES256;ID";
	return NULL;
}

/* Split the decoded body into salt, HMAC and ciphertext. */
static int
vault_parts(unsigned char *body, size_t len, unsigned char *salt,
    unsigned char *mac, unsigned char **ct, size_t *ctlen)
{
	unsigned char *nl1, *nl2;
	long n;

	if ((nl1 = memchr(body, '\n', len)) == NULL ||
	    (nl2 = memchr(nl1 + 1, '\n', len - (size_t)(nl1 + 1 - body))) ==
	    NULL)
		return -1;
	if ((size_t)(nl1 - body) != 2 * VAULT_SALT ||
	    unhex((char *)body, (size_t)(nl1 - body), salt) != VAULT_SALT)
		return -1;
	if ((size_t)(nl2 - nl1 - 1) != 2 * VAULT_MAC ||
	    unhex((char *)nl1 + 1, (size_t)(nl2 - nl1 - 1), mac) != VAULT_MAC)
		return -1;
	*ct = nl2 + 1;
	n = unhex((char *)*ct, len - (size_t)(*ct - body), *ct);
	if (n <= 0 || n % 16 != 0)
		return -1;
	*ctlen = (size_t)n;
	return 0;
}

/* Decrypt vault text s with the password; see vault.h. */
int
vault_decrypt(const char *s, const char *pw, size_t pwlen, char **out,
    size_t *outlen, const char **why)
{
	unsigned char salt[VAULT_SALT], mac[VAULT_MAC], calc[VAULT_MAC];
	unsigned char keys[80], *body = NULL, *ct, *pt = NULL;
	unsigned int maclen = 0;
	const char *b;
	size_t blen, ctlen;
	EVP_CIPHER_CTX *cx = NULL;
	long n;
	int r = DROVE_E_INVENTORY, len1 = 0, len2 = 0, pad;

	*out = NULL;
	*outlen = 0;
	*why = "bad vault text";
	if ((b = vault_header(s, why)) == NULL)
		return r;
	blen = strlen(b);
	if ((body = malloc(blen / 2 + 1)) == NULL)
		return DROVE_E_NOMEM;
	if ((n = unhex(b, blen, body)) < 0 || vault_parts(body, (size_t)n,
	    salt, mac, &ct, &ctlen) != 0) {
		*why = "bad vault text: expected hex of salt, HMAC and "
		    "ciphertext";
		goto out;
	}
	r = DROVE_E_NOMEM;
	if (PKCS5_PBKDF2_HMAC(pw, (int)pwlen, salt, sizeof salt, VAULT_ITER,
	    EVP_sha256(), sizeof keys, keys) != 1 ||
	    HMAC(EVP_sha256(), keys + 32, 32, ct, ctlen, calc, &maclen) ==
	    NULL)
		goto out;
	if (maclen != sizeof calc || CRYPTO_memcmp(calc, mac, sizeof mac) !=
	    0) {
		r = DROVE_E_AUTH;
		*why = "the vault password does not decrypt it";
		goto out;
	}
	if ((pt = malloc(ctlen + 1)) == NULL ||
	    (cx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(cx, EVP_aes_256_ctr(), NULL, keys,
	    keys + 64) != 1 || EVP_DecryptUpdate(cx, pt, &len1, ct,
	    (int)ctlen) != 1 || EVP_DecryptFinal_ex(cx, pt + len1, &len2) != 1)
		goto out;
	len1 += len2;
	pad = len1 > 0 ? pt[len1 - 1] : 0;
	for (len2 = 1; pad >= 1 && pad <= 16 && pad <= len1 && len2 <= pad;
	    len2++)
		if (pt[len1 - len2] != pad)
			pad = 0;
	if (pad < 1 || pad > 16 || pad > len1) {
		r = DROVE_E_INVENTORY;
		*why = "bad vault padding";
		goto out;
	}
	len1 -= pad;
	pt[len1] = '\0';
	*out = (char *)pt;
	*outlen = (size_t)len1;
	pt = NULL;
	r = 0;
 out:
	EVP_CIPHER_CTX_free(cx);
	OPENSSL_cleanse(keys, sizeof keys);
	if (pt != NULL) {
		OPENSSL_cleanse(pt, ctlen);
		free(pt);
	}
	free(body);
	return r;
}
