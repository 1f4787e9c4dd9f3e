/*
 * ident.c: identity files decrypted once into an EVP_PKEY, their SSH public
 * key blobs, and the signing call behind libssh2's sign callback.
 *
 * Two file formats are read.  openssh-key-v1 ("BEGIN OPENSSH PRIVATE KEY")
 * is parsed here, with bcrypt_pbkdf and an AES cipher for encrypted keys;
 * PEM and PKCS#8 keys go through OpenSSL's PEM reader.  Either way the key
 * ends up as an EVP_PKEY, from which the public blob is built (for OpenSSH
 * keys it must equal the public key stored in the file).  PATH.pub is never
 * read: the private key holds everything.
 *
 * Signatures are what libssh2 1.10 puts inside the method-named signature
 * blob: 64 raw bytes for ssh-ed25519, mpint r || mpint s for ECDSA (hashed
 * with SHA-256/384/512 by curve), and the raw PKCS#1 v1.5 SHA-1 signature
 * for ssh-rsa.  Agent identities sign through agent.c.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libssh2.h>

#include "base/buf.h"
#include "engine/agent.h"
#include "engine/bcrypt.h"
#include "engine/ident.h"
#include "engine/sshbuf.h"

#define OSSH_BEGIN	"-----BEGIN OPENSSH PRIVATE KEY-----"
#define OSSH_END	"-----END OPENSSH PRIVATE KEY-----"
#define OSSH_MAGIC	"openssh-key-v1"	/* followed by a NUL */
#define KEYFILE_MAX	(1 << 20)

/* An ECDSA curve by its SSH and OpenSSL names. */
struct curve {
	const char	*algo;
	const char	*ssh;
	const char	*group;
	const EVP_MD	*(*md)(void);
};

static const struct curve curves[] = {
	{ "ecdsa-sha2-nistp256", "nistp256", "prime256v1", EVP_sha256 },
	{ "ecdsa-sha2-nistp384", "nistp384", "secp384r1", EVP_sha384 },
	{ "ecdsa-sha2-nistp521", "nistp521", "secp521r1", EVP_sha512 },
};

/* A cipher of openssh-key-v1 files. */
struct ossh_cipher {
	const char	*name;
	const EVP_CIPHER *(*evp)(void);
	size_t		 keylen;
	size_t		 ivlen;
	size_t		 block;
};

static const struct ossh_cipher ossh_ciphers[] = {
	{ "aes256-ctr", EVP_aes_256_ctr, 32, 16, 16 },
	{ "aes192-ctr", EVP_aes_192_ctr, 24, 16, 16 },
	{ "aes128-ctr", EVP_aes_128_ctr, 16, 16, 16 },
	{ "aes256-cbc", EVP_aes_256_cbc, 32, 16, 16 },
	{ "aes128-cbc", EVP_aes_128_cbc, 16, 16, 16 },
};

/* The passphrase of one key, asked for at most once. */
struct pass {
	const char		*path;
	drove_passphrase_cb	*cb;
	void			*cbarg;
	int			 asked;
	int			 have;
	char			 buf[1024];
};

/* Get the passphrase: DROVE_KEY_PASSPHRASE, else the callback; or NULL. */
static const char *
pass_get(struct pass *p)
{
	const char *env;

	if (!p->asked) {
		p->asked = 1;
		if ((env = getenv("DROVE_KEY_PASSPHRASE")) != NULL &&
		    strlen(env) < sizeof p->buf) {
			strcpy(p->buf, env);
			p->have = 1;
		} else if (p->cb != NULL &&
		    p->cb(p->path, p->buf, sizeof p->buf, p->cbarg) == 0) {
			p->buf[sizeof p->buf - 1] = '\0';
			p->have = 1;
		}
	}
	return p->have ? p->buf : NULL;
}

/* The error for an encrypted key we could not open. */
static int
pass_error(struct pass *p, struct drove_err *err)
{
	if (p->have)
		return err_set(err, DROVE_E_AUTH, "wrong passphrase for key %s",
		    p->path);
	return err_set(err, DROVE_E_AUTH,
	    "key %s is encrypted and no passphrase was given", p->path);
}

/* Read a whole key file into b. */
static int
read_file(const char *path, struct buf *b, struct drove_err *err)
{
	FILE *f;
	char chunk[4096];
	size_t n;
	int r = 0;

	if ((f = fopen(path, "re")) == NULL)
		return err_set(err, DROVE_E_IO, "open key %s: %s", path,
		    strerror(errno));
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b->len + n > KEYFILE_MAX) {
			r = err_set(err, DROVE_E_INVAL,
			    "key %s: file too large", path);
			break;
		}
		if (buf_append(b, chunk, n) != 0) {
			r = err_set(err, DROVE_E_NOMEM, "key %s: out of memory",
			    path);
			break;
		}
	}
	if (r == 0 && ferror(f))
		r = err_set(err, DROVE_E_IO, "read key %s: %s", path,
		    strerror(errno));
	fclose(f);
	explicit_bzero(chunk, sizeof chunk);
	return r;
}

/* Build an EVP_PKEY of the given type from OpenSSL parameters. */
static EVP_PKEY *
pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld)
{
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

/* Take an mpint as a BIGNUM (NULL when malformed). */
static BIGNUM *
get_bn(struct sshbuf *b)
{
	const unsigned char *v;
	size_t len;

	if (sshbuf_get_string(b, &v, &len) != 0)
		return NULL;
	return BN_bin2bn(v, len, NULL);
}

/* Parse an OpenSSH private ECDSA key: curve, point, scalar. */
static EVP_PKEY *
ossh_ecdsa(struct sshbuf *b, const struct curve *c)
{
	OSSL_PARAM_BLD *bld = NULL;
	const unsigned char *q;
	size_t qlen;
	BIGNUM *d = NULL;
	EVP_PKEY *pkey = NULL;

	if (sshbuf_expect_cstring(b, c->ssh) != 0 ||
	    sshbuf_get_string(b, &q, &qlen) != 0 || (d = get_bn(b)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    c->group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, q,
	    qlen) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d))
		goto out;
	pkey = pkey_fromdata("EC", bld);
 out:
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	return pkey;
}

/* Parse an OpenSSH private RSA key: n, e, d, iqmp, p, q. */
static EVP_PKEY *
ossh_rsa(struct sshbuf *b)
{
	BIGNUM *bn[6] = { NULL }, *dmp1 = NULL, *dmq1 = NULL, *t = NULL;
	BN_CTX *bnctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;
	int i;

	for (i = 0; i < 6; i++)
		if ((bn[i] = get_bn(b)) == NULL)
			goto out;
	/* bn: 0 n, 1 e, 2 d, 3 iqmp, 4 p, 5 q */
	if ((bnctx = BN_CTX_new()) == NULL || (t = BN_new()) == NULL ||
	    (dmp1 = BN_new()) == NULL || (dmq1 = BN_new()) == NULL ||
	    !BN_sub(t, bn[4], BN_value_one()) ||
	    !BN_mod(dmp1, bn[2], t, bnctx) ||
	    !BN_sub(t, bn[5], BN_value_one()) ||
	    !BN_mod(dmq1, bn[2], t, bnctx) ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn[0]) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn[1]) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, bn[2]) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, bn[4]) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, bn[5]) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	    bn[3]))
		goto out;
	pkey = pkey_fromdata("RSA", bld);
 out:
	OSSL_PARAM_BLD_free(bld);
	BN_CTX_free(bnctx);
	for (i = 0; i < 6; i++)
		BN_clear_free(bn[i]);
	BN_clear_free(dmp1);
	BN_clear_free(dmq1);
	BN_clear_free(t);
	return pkey;
}

/* Parse the key inside a decrypted openssh-key-v1 private section. */
static EVP_PKEY *
ossh_key(struct sshbuf *b)
{
	const unsigned char *type, *pub, *priv;
	size_t typelen, publen, privlen, i;

	if (sshbuf_get_string(b, &type, &typelen) != 0)
		return NULL;
	if (typelen == 11 && memcmp(type, "ssh-ed25519", 11) == 0) {
		if (sshbuf_get_string(b, &pub, &publen) != 0 ||
		    sshbuf_get_string(b, &priv, &privlen) != 0 ||
		    publen != 32 || privlen != 64)
			return NULL;
		return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
		    priv, 32);
	}
	if (typelen == 7 && memcmp(type, "ssh-rsa", 7) == 0)
		return ossh_rsa(b);
	for (i = 0; i < sizeof curves / sizeof curves[0]; i++)
		if (typelen == strlen(curves[i].algo) &&
		    memcmp(type, curves[i].algo, typelen) == 0)
			return ossh_ecdsa(b, &curves[i]);
	return NULL;
}

/* Decode len bytes of base64 (newlines allowed) at s into out. */
int
ident_b64_decode(const char *s, size_t len, struct buf *out)
{
	EVP_ENCODE_CTX *ctx = NULL;
	int n, m, r = DROVE_E_INVAL;

	if ((ctx = EVP_ENCODE_CTX_new()) == NULL ||
	    buf_reserve(out, len / 4 * 3 + 3) != 0) {
		r = DROVE_E_NOMEM;
		goto out;
	}
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, (unsigned char *)out->data, &n,
	    (const unsigned char *)s, (int)len) < 0 ||
	    EVP_DecodeFinal(ctx, (unsigned char *)out->data + n, &m) != 1)
		goto out;
	out->len = (size_t)n + (size_t)m;
	r = 0;
 out:
	EVP_ENCODE_CTX_free(ctx);
	return r;
}

/* Decode the base64 body between the OpenSSH armour lines into out. */
static int
ossh_unarmour(const char *text, struct buf *out)
{
	const char *s, *e;

	if ((s = strstr(text, OSSH_BEGIN)) == NULL ||
	    (e = strstr(s, OSSH_END)) == NULL)
		return DROVE_E_INVAL;
	s += strlen(OSSH_BEGIN);
	return ident_b64_decode(s, (size_t)(e - s), out);
}

/* Decrypt the private section in place with the bcrypt-derived key. */
static int
ossh_decrypt(const char *path, const unsigned char *cname, size_t cnamelen,
    struct sshbuf *kdfopts, struct pass *pass, unsigned char *sec,
    size_t seclen, struct drove_err *err)
{
	const struct ossh_cipher *c = NULL;
	const unsigned char *salt;
	const char *pw;
	unsigned char keyiv[64];
	size_t saltlen, i;
	uint32_t rounds;
	EVP_CIPHER_CTX *ctx = NULL;
	int n, r;

	for (i = 0; i < sizeof ossh_ciphers / sizeof ossh_ciphers[0]; i++)
		if (cnamelen == strlen(ossh_ciphers[i].name) &&
		    memcmp(cname, ossh_ciphers[i].name, cnamelen) == 0)
			c = &ossh_ciphers[i];
	if (c == NULL)
		return err_set(err, DROVE_E_INVAL,
		    "key %s: cipher %.*s not supported", path, (int)cnamelen,
		    cname);
	if (sshbuf_get_string(kdfopts, &salt, &saltlen) != 0 ||
	    sshbuf_get_u32(kdfopts, &rounds) != 0 || seclen % c->block != 0)
		return err_set(err, DROVE_E_INVAL, "key %s: bad kdf options",
		    path);
	if ((pw = pass_get(pass)) == NULL || *pw == '\0')
		return pass_error(pass, err);
	if ((r = bcrypt_pbkdf(pw, strlen(pw), salt, saltlen, keyiv,
	    c->keylen + c->ivlen, rounds)) != 0) {
		r = err_set(err, r, "key %s: bcrypt_pbkdf failed", path);
		goto out;
	}
	r = err_set(err, DROVE_E_INTERNAL, "key %s: decryption failed", path);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(ctx, c->evp(), NULL, keyiv,
	    keyiv + c->keylen) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_DecryptUpdate(ctx, sec, &n, sec, (int)seclen) != 1 ||
	    (size_t)n != seclen)
		goto out;
	r = 0;
	err_clear(err);
 out:
	EVP_CIPHER_CTX_free(ctx);
	explicit_bzero(keyiv, sizeof keyiv);
	return r;
}

/*
 * Load an openssh-key-v1 file: check the header, decrypt the private
 * section, compare its check words and parse the key.  The public key of
 * the header is returned in pubblob (pointing into raw).
 */
static int
ossh_load(const char *path, struct buf *raw, struct pass *pass,
    EVP_PKEY **pkey, struct sshbuf *pubblob, struct drove_err *err)
{
	struct sshbuf b, kdf, sec;
	const unsigned char *cname, *kname, *kopts, *encsec, *pub;
	size_t cnamelen, knamelen, koptslen, seclen, publen;
	unsigned char *plain = NULL;
	uint32_t nkeys, check1, check2;
	int encrypted, r;

	sshbuf_from(&b, raw->data, raw->len);
	r = err_set(err, DROVE_E_INVAL, "key %s: malformed openssh key", path);
	if (b.len < sizeof OSSH_MAGIC ||
	    memcmp(b.p, OSSH_MAGIC, sizeof OSSH_MAGIC) != 0)
		goto out;
	b.p += sizeof OSSH_MAGIC;
	b.len -= sizeof OSSH_MAGIC;
	if (sshbuf_get_string(&b, &cname, &cnamelen) != 0 ||
	    sshbuf_get_string(&b, &kname, &knamelen) != 0 ||
	    sshbuf_get_string(&b, &kopts, &koptslen) != 0 ||
	    sshbuf_get_u32(&b, &nkeys) != 0 || nkeys != 1 ||
	    sshbuf_get_string(&b, &pub, &publen) != 0 ||
	    sshbuf_get_string(&b, &encsec, &seclen) != 0)
		goto out;
	sshbuf_from(pubblob, pub, publen);
	encrypted = !(cnamelen == 4 && memcmp(cname, "none", 4) == 0);
	if (encrypted && !(knamelen == 6 && memcmp(kname, "bcrypt", 6) == 0)) {
		r = err_set(err, DROVE_E_INVAL,
		    "key %s: kdf %.*s not supported", path, (int)knamelen,
		    kname);
		goto out;
	}
	if ((plain = malloc(seclen + 1)) == NULL) {
		r = err_set(err, DROVE_E_NOMEM, "key %s: out of memory", path);
		goto out;
	}
	memcpy(plain, encsec, seclen);
	sshbuf_from(&kdf, kopts, koptslen);
	if (encrypted && (r = ossh_decrypt(path, cname, cnamelen, &kdf, pass,
	    plain, seclen, err)) != 0)
		goto out;
	sshbuf_from(&sec, plain, seclen);
	if (sshbuf_get_u32(&sec, &check1) != 0 ||
	    sshbuf_get_u32(&sec, &check2) != 0 || check1 != check2) {
		if (encrypted)
			r = pass_error(pass, err);
		else
			r = err_set(err, DROVE_E_INVAL,
			    "key %s: malformed openssh key", path);
		goto out;
	}
	if ((*pkey = ossh_key(&sec)) == NULL) {
		r = err_set(err, DROVE_E_INVAL,
		    "key %s: key type not supported or malformed", path);
		goto out;
	}
	r = 0;
 out:
	if (plain != NULL) {
		explicit_bzero(plain, seclen);
		free(plain);
	}
	return r;
}

/* OpenSSL's PEM passphrase callback, answering from struct pass. */
static int
pem_pass_cb(char *buf, int size, int rwflag, void *arg)
{
	const char *pw;
	size_t len;

	(void)rwflag;
	if ((pw = pass_get(arg)) == NULL || size <= 0)
		return -1;
	if ((len = strlen(pw)) > (size_t)size)
		return -1;
	memcpy(buf, pw, len);
	return (int)len;
}

/* Load a PEM or PKCS#8 key through OpenSSL. */
static int
pem_load(const char *path, struct buf *raw, struct pass *pass,
    EVP_PKEY **pkey, struct drove_err *err)
{
	BIO *bio;

	if ((bio = BIO_new_mem_buf(raw->data, (int)raw->len)) == NULL)
		return err_set(err, DROVE_E_NOMEM, "key %s: out of memory",
		    path);
	*pkey = PEM_read_bio_PrivateKey(bio, NULL, pem_pass_cb, pass);
	BIO_free(bio);
	if (*pkey != NULL)
		return 0;
	if (pass->asked)
		return pass_error(pass, err);
	return err_set(err, DROVE_E_INVAL, "key %s: format not understood",
	    path);
}

/* Append the public key of an EC pkey: curve name and point. */
static int
blob_ecdsa(EVP_PKEY *pkey, struct buf *b, const char **algo)
{
	char group[64];
	unsigned char pt[160];
	size_t i, ptlen;

	if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof group, NULL) != 1 ||
	    EVP_PKEY_get_octet_string_param(pkey,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof pt, &ptlen) != 1 ||
	    ptlen == 0 || pt[0] != POINT_CONVERSION_UNCOMPRESSED)
		return DROVE_E_INVAL;
	for (i = 0; i < sizeof curves / sizeof curves[0]; i++) {
		if (strcmp(group, curves[i].group) != 0)
			continue;
		*algo = curves[i].algo;
		if (sshbuf_put_cstring(b, curves[i].algo) != 0 ||
		    sshbuf_put_cstring(b, curves[i].ssh) != 0 ||
		    sshbuf_put_string(b, pt, ptlen) != 0)
			return DROVE_E_NOMEM;
		return 0;
	}
	return DROVE_E_INVAL;
}

/* Append a BIGNUM parameter of pkey as an mpint. */
static int
put_bn_param(EVP_PKEY *pkey, const char *name, struct buf *b)
{
	BIGNUM *bn = NULL;
	unsigned char *v = NULL;
	int n, r = DROVE_E_INVAL;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
		goto out;
	n = BN_num_bytes(bn);
	r = DROVE_E_NOMEM;
	if ((v = malloc(n > 0 ? (size_t)n : 1)) == NULL)
		goto out;
	BN_bn2bin(bn, v);
	r = sshbuf_put_mpint(b, v, (size_t)n);
 out:
	free(v);
	BN_free(bn);
	return r;
}

/* Build the SSH public key blob and algorithm name of pkey. */
static int
pkey_blob(EVP_PKEY *pkey, struct buf *b, const char **algo)
{
	unsigned char pub[32];
	size_t len = sizeof pub;
	int r;

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_ED25519:
		*algo = "ssh-ed25519";
		if (EVP_PKEY_get_raw_public_key(pkey, pub, &len) != 1)
			return DROVE_E_INVAL;
		if (sshbuf_put_cstring(b, *algo) != 0 ||
		    sshbuf_put_string(b, pub, len) != 0)
			return DROVE_E_NOMEM;
		return 0;
	case EVP_PKEY_EC:
		return blob_ecdsa(pkey, b, algo);
	case EVP_PKEY_RSA:
		*algo = "ssh-rsa";
		if (sshbuf_put_cstring(b, *algo) != 0)
			return DROVE_E_NOMEM;
		if ((r = put_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, b)) != 0)
			return r;
		return put_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, b);
	default:
		return DROVE_E_INVAL;
	}
}

/* Load an identity file, decrypting it once. */
int
ident_load(const char *path, drove_passphrase_cb *cb, void *cbarg,
    struct ident **out, struct drove_err *err)
{
	struct buf raw, der, blob;
	struct pass pass;
	struct sshbuf header = { NULL, 0 };
	struct ident *id = NULL;
	EVP_PKEY *pkey = NULL;
	const char *algo = NULL;
	int r;

	*out = NULL;
	buf_init(&raw);
	buf_init(&der);
	buf_init(&blob);
	memset(&pass, 0, sizeof pass);
	pass.path = path;
	pass.cb = cb;
	pass.cbarg = cbarg;
	if ((r = read_file(path, &raw, err)) != 0)
		goto out;
	if (raw.len > 0 && strstr(raw.data, OSSH_BEGIN) != NULL) {
		if ((r = ossh_unarmour(raw.data, &der)) != 0) {
			r = err_set(err, r, "key %s: bad base64", path);
			goto out;
		}
		r = ossh_load(path, &der, &pass, &pkey, &header, err);
	} else
		r = pem_load(path, &raw, &pass, &pkey, err);
	if (r != 0)
		goto out;
	if ((r = pkey_blob(pkey, &blob, &algo)) != 0) {
		r = err_set(err, r, "key %s: key type not supported", path);
		goto out;
	}
	if (header.p != NULL && (header.len != blob.len ||
	    memcmp(header.p, blob.data, blob.len) != 0)) {
		r = err_set(err, DROVE_E_INVAL,
		    "key %s: public key does not match private key", path);
		goto out;
	}
	r = err_set(err, DROVE_E_NOMEM, "key %s: out of memory", path);
	if ((id = calloc(1, sizeof *id)) == NULL ||
	    (id->label = strdup(path)) == NULL ||
	    (id->algo = strdup(algo)) == NULL)
		goto out;
	id->blob = (unsigned char *)buf_steal(&blob, &id->bloblen);
	if (id->blob == NULL)
		goto out;
	id->pkey = pkey;
	pkey = NULL;
	*out = id;
	id = NULL;
	r = 0;
	err_clear(err);
 out:
	explicit_bzero(&pass, sizeof pass);
	if (raw.data != NULL)
		explicit_bzero(raw.data, raw.cap);
	if (der.data != NULL)
		explicit_bzero(der.data, der.cap);
	buf_release(&raw);
	buf_release(&der);
	buf_release(&blob);
	EVP_PKEY_free(pkey);
	ident_free(id);
	return r;
}

/* Free the members of an identity (file or agent). */
void
ident_release(struct ident *id)
{
	ident_free(id->cert);
	free(id->label);
	free(id->algo);
	free(id->blob);
	EVP_PKEY_free(id->pkey);
	memset(id, 0, sizeof *id);
}

/* Free a file identity. */
void
ident_free(struct ident *id)
{
	if (id == NULL)
		return;
	ident_release(id);
	free(id);
}

/* Prepare an idle request that queues wake when an agent reply arrives. */
void
sign_req_init(struct sign_req *req, struct loop_task *wake)
{
	memset(req, 0, sizeof *req);
	req->wake = wake;
}

/* Drop a request: unlink it from its agent and free any signature. */
void
sign_req_release(struct sign_req *req)
{
	if (req->state == SIGN_PENDING && req->agent != NULL)
		agent_cancel(req->agent, req);
	free(req->sig);
	req->sig = NULL;
	req->siglen = 0;
	req->state = SIGN_IDLE;
}

/* Turn a DER ECDSA signature into mpint r || mpint s. */
static int
ecdsa_der_to_ssh(const unsigned char *der, size_t len, struct buf *out)
{
	ECDSA_SIG *es;
	const BIGNUM *bn[2];
	unsigned char v[66];
	int i, n, r = DROVE_E_INVAL;

	if ((es = d2i_ECDSA_SIG(NULL, &der, (long)len)) == NULL)
		return DROVE_E_INVAL;
	ECDSA_SIG_get0(es, &bn[0], &bn[1]);
	for (i = 0; i < 2; i++) {
		if ((n = BN_num_bytes(bn[i])) > (int)sizeof v)
			goto out;
		BN_bn2bin(bn[i], v);
		if ((r = sshbuf_put_mpint(out, v, (size_t)n)) != 0)
			goto out;
	}
	r = 0;
 out:
	ECDSA_SIG_free(es);
	return r;
}

/*
 * The RSA signature algorithm libssh2 announced in the data it asks us to
 * sign (string session id, byte 50, string user, string service, string
 * "publickey", bool, string algorithm): "ssh-rsa" with libssh2 1.10,
 * "rsa-sha2-256" or "-512" when a newer libssh2 upgraded it (followed by
 * "-cert-v01@openssh.com" for a certificate).  Returns
 * SIGN_RSA_SHA1, SIGN_RSA_SHA256 or SIGN_RSA_SHA512.
 */
int
ident_rsa_method(const unsigned char *data, size_t len)
{
	const unsigned char *p;
	struct sshbuf b;
	size_t n, i;
	uint8_t u8;

	sshbuf_from(&b, data, len);
	for (i = 0; i < 4; i++) {
		if ((i == 1 && sshbuf_get_u8(&b, &u8) != 0) ||
		    sshbuf_get_string(&b, &p, &n) != 0)
			return SIGN_RSA_SHA1;
	}
	if (sshbuf_get_u8(&b, &u8) != 0 || sshbuf_get_string(&b, &p, &n) != 0)
		return SIGN_RSA_SHA1;
	/* "rsa-sha2-512-cert-v01@openssh.com" for an RSA certificate */
	if (n >= 12 && memcmp(p, "rsa-sha2-256", 12) == 0)
		return SIGN_RSA_SHA256;
	if (n >= 12 && memcmp(p, "rsa-sha2-512", 12) == 0)
		return SIGN_RSA_SHA512;
	return SIGN_RSA_SHA1;
}

/* The digest a key signs with (none for ed25519); rsa is the method. */
static const EVP_MD *
pkey_md(EVP_PKEY *pkey, int rsa)
{
	char group[64];
	size_t i;

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
		return rsa == SIGN_RSA_SHA512 ? EVP_sha512() :
		    rsa == SIGN_RSA_SHA256 ? EVP_sha256() : EVP_sha1();
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
		    NULL) != 1)
			break;
		for (i = 0; i < sizeof curves / sizeof curves[0]; i++)
			if (strcmp(group, curves[i].group) == 0)
				return curves[i].md();
		break;
	}
	return NULL;
}

/* Sign with a file key in memory. */
static int
file_sign(EVP_PKEY *pkey, const unsigned char *data, size_t len,
    unsigned char **sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	struct buf out;
	int ec, r = LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED;

	buf_init(&out);
	ec = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, pkey_md(pkey, ident_rsa_method(data,
	    len)), NULL, pkey) != 1 ||
	    EVP_DigestSign(ctx, NULL, &rawlen, data, len) != 1 ||
	    (raw = malloc(rawlen)) == NULL ||
	    EVP_DigestSign(ctx, raw, &rawlen, data, len) != 1)
		goto out;
	if (ec) {
		if (ecdsa_der_to_ssh(raw, rawlen, &out) != 0)
			goto out;
		free(raw);
		raw = (unsigned char *)buf_steal(&out, &rawlen);
		if (raw == NULL)
			goto out;
	}
	*sig = raw;
	*siglen = rawlen;
	raw = NULL;
	r = 0;
 out:
	EVP_MD_CTX_free(ctx);
	free(raw);
	buf_release(&out);
	return r;
}

/* Sign for libssh2: in memory for file keys, through the agent else. */
int
ident_sign(struct ident *id, struct sign_req *req, const unsigned char *data,
    size_t len, unsigned char **sig, size_t *siglen)
{
	*sig = NULL;
	*siglen = 0;
	if (id->agent == NULL)
		return file_sign(id->pkey, data, len, sig, siglen);
	switch (req->state) {
	case SIGN_IDLE:
		req->err = 0;
		if (agent_sign(id->agent, id, req, data, len) != 0)
			return LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED;
		return LIBSSH2_ERROR_EAGAIN;
	case SIGN_PENDING:
		return LIBSSH2_ERROR_EAGAIN;
	default:
		req->state = SIGN_IDLE;
		if (req->err != 0 || req->sig == NULL)
			return LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED;
		*sig = req->sig;
		*siglen = req->siglen;
		req->sig = NULL;
		req->siglen = 0;
		return 0;
	}
}
