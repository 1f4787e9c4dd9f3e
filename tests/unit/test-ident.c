/*
 * test-ident.c: bcrypt_pbkdf known answers, and identity files made by
 * ssh-keygen and openssl: loaded, their blobs compared with the .pub files,
 * and their signatures verified with OpenSSL against the blob's key.
 *
 * The key helpers (tk_*) are shared with test-agent.c.
 */
#include <sys/stat.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libssh2.h>

#include "engine/bcrypt.h"
#include "engine/ident.h"
#include "engine/sshbuf.h"
#include "keys.h"
#include "test.h"


/* Make a private temporary directory. */
int
tk_mkdir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/drove-ident-XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

/* Remove a temporary directory and its files. */
void
tk_rmdir(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

/* Run ssh-keygen with args and passphrase into dir/name; path gets it. */
int
tk_keygen(const char *dir, const char *name, const char *args,
    const char *pass, char *path, size_t size)
{
	char cmd[1024];

	snprintf(path, size, "%s/%s", dir, name);
	snprintf(cmd, sizeof cmd, "ssh-keygen -q %s -N '%s' -C 'c-%s' "
	    "-f '%s' </dev/null >/dev/null", args, pass, name, path);
	return system(cmd) == 0 ? 0 : -1;
}

/* Decode the base64 blob of path.pub ("type AAAA... comment"). */
int
tk_pub_blob(const char *path, struct buf *blob)
{
	char pub[512], line[8192], *b64, *end;
	unsigned char out[6144];
	FILE *f;
	int n;

	snprintf(pub, sizeof pub, "%s.pub", path);
	if ((f = fopen(pub, "r")) == NULL)
		return -1;
	b64 = fgets(line, sizeof line, f);
	fclose(f);
	if (b64 == NULL || (b64 = strchr(line, ' ')) == NULL)
		return -1;
	b64++;
	if ((end = strchr(b64, ' ')) != NULL)
		*end = '\0';
	if ((n = EVP_DecodeBlock(out, (unsigned char *)b64,
	    (int)strlen(b64))) < 0)
		return -1;
	while (n > 0 && b64[strlen(b64) - 1] == '=') {
		b64[strlen(b64) - 1] = '\0';
		n--;
	}
	return buf_append(blob, out, (size_t)n);
}

/* A public key from SSH parameters through OpenSSL's fromdata. */
static EVP_PKEY *
tk_fromdata(const char *type, OSSL_PARAM_BLD *bld)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY *pkey = NULL;

	if (ctx == NULL || params == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* Take an SSH mpint as a BIGNUM; NULL unless canonical and positive. */
static BIGNUM *
tk_bn(struct sshbuf *b)
{
	const unsigned char *v;
	size_t len;

	if (sshbuf_get_string(b, &v, &len) != 0 || len == 0 ||
	    (v[0] & 0x80) != 0 || (len > 1 && v[0] == 0 && !(v[1] & 0x80)))
		return NULL;
	return BN_bin2bn(v, len, NULL);
}

/* Turn an SSH ECDSA inner signature (mpint r, mpint s) into DER. */
static int
tk_ecdsa_der(const unsigned char *sig, size_t siglen, unsigned char **der)
{
	struct sshbuf b;
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r, *s;
	int n = -1;

	sshbuf_from(&b, sig, siglen);
	r = tk_bn(&b);
	s = tk_bn(&b);
	if (es != NULL && r != NULL && s != NULL && b.len == 0 &&
	    ECDSA_SIG_set0(es, r, s) == 1) {
		r = s = NULL;
		n = i2d_ECDSA_SIG(es, der);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return n;
}

/* Verify an inner signature of data against the key of an SSH blob. */
int
tk_verify(const unsigned char *blob, size_t bloblen,
    const unsigned char *data, size_t len, const unsigned char *sig,
    size_t siglen)
{
	struct sshbuf b;
	const unsigned char *t, *q;
	size_t tlen, qlen;
	EVP_PKEY *pkey = NULL;
	const EVP_MD *md = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_MD_CTX *ctx = NULL;
	BIGNUM *e = NULL, *n = NULL;
	unsigned char *der = NULL;
	int derlen, ok = 0;
	char type[64];

	sshbuf_from(&b, blob, bloblen);
	if (sshbuf_get_string(&b, &t, &tlen) != 0 || tlen >= sizeof type)
		return 0;
	memcpy(type, t, tlen);
	type[tlen] = '\0';
	if (strcmp(type, "ssh-ed25519") == 0) {
		if (sshbuf_get_string(&b, &q, &qlen) != 0 || siglen != 64)
			return 0;
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, q,
		    qlen);
	} else if (strcmp(type, "ssh-rsa") == 0) {
		md = EVP_sha1();
		e = tk_bn(&b);
		n = tk_bn(&b);
		bld = OSSL_PARAM_BLD_new();
		if (e == NULL || n == NULL || bld == NULL ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			goto out;
		pkey = tk_fromdata("RSA", bld);
		bld = NULL;
	} else if (strncmp(type, "ecdsa-sha2-nistp", 16) == 0) {
		md = strcmp(type + 16, "256") == 0 ? EVP_sha256() :
		    strcmp(type + 16, "384") == 0 ? EVP_sha384() : EVP_sha512();
		if (sshbuf_get_string(&b, &t, &tlen) != 0 ||
		    sshbuf_get_string(&b, &q, &qlen) != 0 ||
		    (bld = OSSL_PARAM_BLD_new()) == NULL ||
		    !OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, md == EVP_sha256() ?
		    "prime256v1" : md == EVP_sha384() ? "secp384r1" :
		    "secp521r1", 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, q, qlen) ||
		    (derlen = tk_ecdsa_der(sig, siglen, &der)) <= 0)
			goto out;
		pkey = tk_fromdata("EC", bld);
		bld = NULL;
		sig = der;
		siglen = (size_t)derlen;
	}
	if (pkey == NULL || (ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) != 1)
		goto out;
	ok = EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;
 out:
	OSSL_PARAM_BLD_free(bld);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	BN_free(e);
	BN_free(n);
	OPENSSL_free(der);
	return ok;
}

TEST(bcrypt_pbkdf_known_answers)
{
	static const struct {
		const char	*pass;
		size_t		 passlen;
		const char	*salt;
		size_t		 saltlen;
		const char	*hex;
	} v[] = {
		{ "password", 8, "salt", 4, "5bbf0cc293587f1c3635555c27796598"
		    "d47e579071bf427e9d8fbe842aba34d9" },
		{ "password", 8, "\0", 1, "c12b566235eee04c212598970a579a67" },
		{ "\0", 1, "salt", 4, "6051be18c2f4f82cbf0efee5471b4bb9" },
		{ "password\0", 9, "salt\0", 5,
		    "7410e44cf4fa07bfaac8a928b1727fac"
		    "001375e7bf7384370f48efd121743050" },
	};
	unsigned char key[32];
	char hex[65];
	size_t i, j, n;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		n = strlen(v[i].hex) / 2;
		T_EQ(bcrypt_pbkdf(v[i].pass, v[i].passlen,
		    (const uint8_t *)v[i].salt, v[i].saltlen, key, n, 4), 0);
		for (j = 0; j < n; j++)
			snprintf(hex + 2 * j, 3, "%02x", key[j]);
		T_STREQ(hex, v[i].hex);
	}
	T_EQ(bcrypt_pbkdf("p", 1, (const uint8_t *)"s", 1, key, 32, 0),
	    DROVE_E_INVAL);
	T_EQ(bcrypt_pbkdf("", 0, (const uint8_t *)"s", 1, key, 32, 4),
	    DROVE_E_INVAL);
}

static int asked;

/* A passphrase callback answering with arg, counting its calls. */
static int
pass_cb(const char *path, char *buf, size_t size, void *arg)
{
	(void)path;
	asked++;
	if (arg == NULL)
		return 1;
	snprintf(buf, size, "%s", (const char *)arg);
	return 0;
}

/*
 * Load a key with a passphrase callback answering pass, check its algorithm
 * and its blob (against want, or the .pub file when want is NULL), sign two
 * messages and verify them.
 */
static void
check_key(const char *path, const char *pass, const char *algo,
    const struct buf *want)
{
	static const unsigned char msg[] = "session id and userauth request";
	struct ident *id = NULL;
	struct drove_err err;
	struct buf pub;
	unsigned char *sig = NULL;
	size_t siglen, i;

	buf_init(&pub);
	asked = 0;
	T_EQ(ident_load(path, pass_cb, (void *)pass, &id, &err), 0);
	T_EQ(asked, pass[0] != '\0');
	T_STREQ(id->algo, algo);
	T_STREQ(id->label, path);
	T_TRUE(id->agent == NULL && id->pkey != NULL);
	if (want == NULL) {
		T_EQ(tk_pub_blob(path, &pub), 0);
		want = &pub;
	}
	T_EQ(id->bloblen, want->len);
	T_TRUE(memcmp(id->blob, want->data, want->len) == 0);
	for (i = 0; i < 2; i++) {
		T_EQ(ident_sign(id, NULL, msg, sizeof msg - i, &sig, &siglen),
		    0);
		T_TRUE(tk_verify(id->blob, id->bloblen, msg, sizeof msg - i,
		    sig, siglen));
		T_TRUE(!tk_verify(id->blob, id->bloblen, msg,
		    sizeof msg - 1 + i, sig, siglen));
		free(sig);
		sig = NULL;
	}
	buf_release(&pub);
	ident_free(id);
}

/* A key to make with ssh-keygen: its arguments and expected algorithm. */
struct keycase {
	const char	*args;
	const char	*algo;
};

/* Make each key with each passphrase, then load, sign and verify it. */
static void
check_keygen(const struct keycase *k, size_t n, const char *pass[2])
{
	char dir[64], path[256], name[64];
	size_t i, j;

	unsetenv("DROVE_KEY_PASSPHRASE");
	T_EQ(tk_mkdir(dir, sizeof dir), 0);
	for (i = 0; i < n; i++) {
		for (j = 0; j < 2 && !test_failed; j++) {
			snprintf(name, sizeof name, "k%zu-%zu", i, j);
			T_EQ(tk_keygen(dir, name, k[i].args, pass[j], path,
			    sizeof path), 0);
			check_key(path, pass[j], k[i].algo, NULL);
		}
	}
	tk_rmdir(dir);
}

TEST(ident_openssh_keys_sign)
{
	static const struct keycase k[] = {
		{ "-a 4 -t ed25519", "ssh-ed25519" },
		{ "-a 4 -t ecdsa -b 256", "ecdsa-sha2-nistp256" },
		{ "-a 4 -t ecdsa -b 384", "ecdsa-sha2-nistp384" },
		{ "-a 4 -t ecdsa -b 521", "ecdsa-sha2-nistp521" },
		{ "-a 4 -t rsa -b 2048", "ssh-rsa" },
	};
	static const char *pass[2] = { "", "pass phrase" };

	check_keygen(k, sizeof k / sizeof k[0], pass);
}

TEST(ident_pem_pkcs8_keys_sign)
{
	static const struct keycase k[] = {
		{ "-m PEM -t ecdsa -b 256", "ecdsa-sha2-nistp256" },
		{ "-m PEM -t ecdsa -b 521", "ecdsa-sha2-nistp521" },
		{ "-m PEM -t rsa -b 2048", "ssh-rsa" },
		{ "-m PKCS8 -t ecdsa -b 256", "ecdsa-sha2-nistp256" },
		{ "-m PKCS8 -t ecdsa -b 384", "ecdsa-sha2-nistp384" },
		{ "-m PKCS8 -t rsa -b 2048", "ssh-rsa" },
	};
	static const char *pass[2] = { "", "secret" };

	check_keygen(k, sizeof k / sizeof k[0], pass);
}

TEST(ident_pkcs8_ed25519_sign)
{
	static const char *pass[] = { "", "secret" };
	char dir[64], path[256], cmd[1024];
	unsigned char der[64];
	struct buf want;
	FILE *f;
	size_t i, n;

	unsetenv("DROVE_KEY_PASSPHRASE");
	T_EQ(tk_mkdir(dir, sizeof dir), 0);
	for (i = 0; i < 2 && !test_failed; i++) {
		snprintf(path, sizeof path, "%s/ed%zu", dir, i);
		snprintf(cmd, sizeof cmd, "openssl genpkey -algorithm ed25519 "
		    "%s%s -out '%s' && openssl pkey -in '%s' -passin pass:%s "
		    "-pubout -outform DER -out '%s.der'",
		    i ? "-aes256 -pass pass:" : "", pass[i], path, path,
		    pass[i], path);
		T_EQ(system(cmd), 0);
		snprintf(cmd, sizeof cmd, "%s.der", path);
		T_TRUE((f = fopen(cmd, "r")) != NULL);
		n = fread(der, 1, sizeof der, f);
		fclose(f);
		T_TRUE(n > 32);
		buf_init(&want);
		T_EQ(sshbuf_put_cstring(&want, "ssh-ed25519"), 0);
		T_EQ(sshbuf_put_string(&want, der + n - 32, 32), 0);
		check_key(path, pass[i], "ssh-ed25519", &want);
		buf_release(&want);
	}
	tk_rmdir(dir);
}

/* Load path expecting failure code and the message pre PATH post. */
static void
check_fails(const char *path, drove_passphrase_cb *cb, const char *pass,
    int code, const char *pre, const char *post)
{
	struct ident *id = (struct ident *)&id;
	struct drove_err err;
	char want[512];

	snprintf(want, sizeof want, "%s%s%s", pre, path, post);
	T_EQ(ident_load(path, cb, (void *)pass, &id, &err), code);
	T_TRUE(id == NULL);
	T_EQ(err.code, code);
	T_STREQ(err.msg, want);
}

TEST(ident_load_errors)
{
	static const char *fmt[] = { "", "-m PEM", "-m PKCS8" };
	static const char *name[] = { "openssh", "pem", "pkcs8" };
	char dir[64], path[256], args[64];
	FILE *f;
	size_t i;

	unsetenv("DROVE_KEY_PASSPHRASE");
	T_EQ(tk_mkdir(dir, sizeof dir), 0);
	for (i = 0; i < 3 && !test_failed; i++) {
		snprintf(args, sizeof args, "-t ecdsa -a 4 %s", fmt[i]);
		T_EQ(tk_keygen(dir, name[i], args, "right", path,
		    sizeof path), 0);
		asked = 0;
		check_fails(path, pass_cb, "wrong", DROVE_E_AUTH,
		    "wrong passphrase for key ", "");
		T_EQ(asked, 1);
		check_fails(path, NULL, NULL, DROVE_E_AUTH,
		    "key ", " is encrypted and no passphrase was given");
		asked = 0;
		check_fails(path, pass_cb, NULL, DROVE_E_AUTH,
		    "key ", " is encrypted and no passphrase was given");
		T_EQ(asked, 1);
		setenv("DROVE_KEY_PASSPHRASE", "wrong", 1);
		check_fails(path, NULL, NULL, DROVE_E_AUTH,
		    "wrong passphrase for key ", "");
		setenv("DROVE_KEY_PASSPHRASE", "right", 1);
		asked = 0;
		check_key(path, "", "ecdsa-sha2-nistp256", NULL);
		unsetenv("DROVE_KEY_PASSPHRASE");
	}
	snprintf(path, sizeof path, "%s/missing", dir);
	check_fails(path, NULL, NULL, DROVE_E_IO,
	    "open key ", ": No such file or directory");
	snprintf(path, sizeof path, "%s/garbage", dir);
	T_TRUE((f = fopen(path, "w")) != NULL);
	fputs("not a key\n", f);
	fclose(f);
	check_fails(path, NULL, NULL, DROVE_E_INVAL,
	    "key ", ": format not understood");
	T_TRUE((f = fopen(path, "w")) != NULL);
	fputs("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA"
	    "\n-----END OPENSSH PRIVATE KEY-----\n", f);
	fclose(f);
	check_fails(path, NULL, NULL, DROVE_E_INVAL,
	    "key ", ": malformed openssh key");
	tk_rmdir(dir);
}

/* libssh2's data to sign for publickey auth, announcing algorithm method. */
static int
userauth_data(struct buf *b, const char *method)
{
	if (sshbuf_put_cstring(b, "session-id") != 0 ||
	    sshbuf_put_u8(b, 50) != 0 ||
	    sshbuf_put_cstring(b, "user") != 0 ||
	    sshbuf_put_cstring(b, "ssh-connection") != 0 ||
	    sshbuf_put_cstring(b, "publickey") != 0 ||
	    sshbuf_put_u8(b, 1) != 0 ||
	    sshbuf_put_cstring(b, method) != 0 ||
	    sshbuf_put_cstring(b, "blob") != 0)
		return -1;
	return 0;
}

/* Whether sig verifies over data with md under pkey. */
static int
verifies(EVP_PKEY *pkey, const EVP_MD *md, const struct buf *data,
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, md, NULL,
	    pkey) == 1 && EVP_DigestVerify(ctx, sig, siglen,
	    (const unsigned char *)data->data, data->len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

TEST(ident_rsa_signs_the_announced_hash)
{
	static const struct {
		const char	*method;
		int		 want;
	} m[] = {
		{ "ssh-rsa", SIGN_RSA_SHA1 },
		{ "rsa-sha2-256", SIGN_RSA_SHA256 },
		{ "rsa-sha2-512", SIGN_RSA_SHA512 },
		/* an RSA certificate, as libssh2 1.11 names it */
		{ "ssh-rsa-cert-v01@openssh.com", SIGN_RSA_SHA1 },
		{ "rsa-sha2-256-cert-v01@openssh.com", SIGN_RSA_SHA256 },
		{ "rsa-sha2-512-cert-v01@openssh.com", SIGN_RSA_SHA512 },
	};
	const EVP_MD *mds[] = { EVP_sha1(), EVP_sha256(), EVP_sha512() };
	struct drove_err err;
	struct ident *id = NULL;
	unsigned char *sig = NULL;
	size_t siglen, i, j;
	char dir[64], path[256];
	struct buf data;
	int ok = 1;

	T_EQ(tk_mkdir(dir, sizeof dir), 0);
	T_EQ(tk_keygen(dir, "rsa", "-t rsa -b 2048", "", path, sizeof path), 0);
	T_EQ(ident_load(path, NULL, NULL, &id, &err), 0);
	for (i = 0; i < sizeof m / sizeof m[0] && ok; i++) {
		buf_init(&data);
		ok = userauth_data(&data, m[i].method) == 0 &&
		    ident_rsa_method((unsigned char *)data.data, data.len) ==
		    m[i].want && ident_sign(id, NULL,
		    (unsigned char *)data.data, data.len, &sig, &siglen) == 0;
		for (j = 0; j < 3 && ok; j++)
			ok = verifies(id->pkey, mds[j], &data, sig, siglen) ==
			    (j == (size_t)m[i].want);
		if (!ok)
			fprintf(stderr, "method %s\n", m[i].method);
		free(sig);
		sig = NULL;
		buf_release(&data);
	}
	T_EQ(ident_rsa_method((const unsigned char *)"\0\0", 2), SIGN_RSA_SHA1);
	ident_free(id);
	tk_rmdir(dir);
	T_TRUE(ok);
}
