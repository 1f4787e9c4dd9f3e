/*
 * test-hostkey.c: known_hosts loading, host key preferences and
 * verification under each policy, against files and keys made with
 * ssh-keygen in a temporary directory.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "engine/hostkey.h"
#include "test.h"

/* A host key made by ssh-keygen. */
struct tkey {
	char		 type[32];
	char		 b64[1024];
	unsigned char	 blob[800];
	size_t		 len;
	char		 fp[64];	/* "SHA256:..." (ssh-keygen -l) */
	int		 htype;		/* LIBSSH2_HOSTKEY_TYPE_* */
};

static struct tkey ked, ked2, kec, krsa;
static char dir[64];
static const char *warn;
static struct drove_err err;

/* libssh2 1.10 has no rsa-sha2, and kh_prefs() names only what it has */
#if LIBSSH2_VERSION_NUM >= 0x010b00
#define RSA_TYPES "rsa-sha2-512,rsa-sha2-256,ssh-rsa"
#else
#define RSA_TYPES "ssh-rsa"
#endif
#define ECDSA_TYPES "ecdsa-sha2-nistp384,ecdsa-sha2-nistp521"
#define PREFS_ED "ssh-ed25519,ecdsa-sha2-nistp256," ECDSA_TYPES "," RSA_TYPES
#define PREFS_EC "ecdsa-sha2-nistp256,ssh-ed25519," ECDSA_TYPES "," RSA_TYPES
#define PREFS_ED_RSA "ssh-ed25519," RSA_TYPES ",ecdsa-sha2-nistp256," \
	ECDSA_TYPES

/* Run a shell command built from fmt; its exit status or -1. */
static int __attribute__((format(printf, 1, 2)))
sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Write a file from fmt. */
static int __attribute__((format(printf, 2, 3)))
wfile(const char *path, const char *fmt, ...)
{
	FILE *f;
	va_list ap;
	int r;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	va_start(ap, fmt);
	r = vfprintf(f, fmt, ap);
	va_end(ap);
	return fclose(f) != 0 || r < 0 ? -1 : 0;
}

/* The number of lines of a file. */
static int
nlines(const char *path)
{
	FILE *f;
	int c, n = 0;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* Remove the temporary directory at exit. */
static void
cleanup(void)
{
	sh("rm -rf '%s'", dir);
}

/* Make a key with ssh-keygen and read its blob and fingerprint. */
static int
keygen(struct tkey *k, const char *name, const char *args, int htype)
{
	char path[128], line[2048];
	FILE *f;
	int n, r = -1;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (sh("ssh-keygen -q -N '' %s -f %s", args, path) != 0)
		return -1;
	snprintf(line, sizeof line, "%s.pub", path);
	if ((f = fopen(line, "r")) == NULL)
		return -1;
	if (fscanf(f, "%31s %1023s", k->type, k->b64) == 2 &&
	    (n = EVP_DecodeBlock(k->blob, (unsigned char *)k->b64,
	    (int)strlen(k->b64))) > 0) {
		k->len = (size_t)n - (strchr(k->b64, '=') == NULL ? 0 :
		    strlen(strchr(k->b64, '=')));
		r = 0;
	}
	fclose(f);
	snprintf(line, sizeof line, "ssh-keygen -l -E sha256 -f %s.pub", path);
	if (r != 0 || (f = popen(line, "r")) == NULL)
		return -1;
	if (fscanf(f, "%*d %63s", k->fp) != 1)
		r = -1;
	pclose(f);
	k->htype = htype;
	return r;
}

/* Make the directory and the keys once per run. */
static int
setup(void)
{
	static int done;

	if (done)
		return done > 0 ? 0 : -1;
	done = -1;
	snprintf(dir, sizeof dir, "/tmp/drove-kh-XXXXXX");
	if (libssh2_init(0) != 0 || mkdtemp(dir) == NULL)
		return -1;
	atexit(cleanup);
	if (keygen(&ked, "ed", "-t ed25519", LIBSSH2_HOSTKEY_TYPE_ED25519) ||
	    keygen(&ked2, "ed2", "-t ed25519", LIBSSH2_HOSTKEY_TYPE_ED25519) ||
	    keygen(&kec, "ec", "-t ecdsa -b 256",
	    LIBSSH2_HOSTKEY_TYPE_ECDSA_256) ||
	    keygen(&krsa, "rsa", "-t rsa -b 2048", LIBSSH2_HOSTKEY_TYPE_RSA))
		return -1;
	done = 1;
	return 0;
}

/* Set path to a file name in the temporary directory. */
static void
tpath(char *path, size_t size, const char *name)
{
	snprintf(path, size, "%s/%s", dir, name);
}

/* Verify key for host:port; the warning and error land in warn and err. */
static int
verify(struct known_hosts *k, const char *host, int port,
    const struct tkey *key, enum drove_hostkey_policy policy)
{
	err_clear(&err);
	return kh_verify(k, host, port, (const char *)key->blob, key->len,
	    key->htype, policy, &warn, &err);
}

/* The common file: plain names, a comma list, a port and comments. */
static int
common_file(char *path, size_t size, const char *name)
{
	tpath(path, size, name);
	return wfile(path, "# a comment\n"
	    "\n"
	    "web1 ssh-rsa %s\n"
	    "web1 ssh-ed25519 %s\n"
	    "[web2]:2222,web3 ecdsa-sha2-nistp256 %s comment here\n"
	    "@cert-authority *.example.com ssh-ed25519 %s\n"
	    "  web4\tssh-ed25519 %s\n",
	    krsa.b64, ked.b64, kec.b64, ked2.b64, ked.b64);
}

TEST(hostkey_prefs_order)
{
	struct known_hosts *k = NULL;
	char path[128];

	T_EQ(setup(), 0);
	T_EQ(common_file(path, sizeof path, "prefs"), 0);
	T_EQ(kh_load(path, &k, &err), 0);
	T_TRUE(kh_load_warning(k) == NULL);
	T_STREQ(kh_prefs(k, "web1", 22), PREFS_ED_RSA);
	T_STREQ(kh_prefs(k, "web2", 2222), PREFS_EC);
	T_STREQ(kh_prefs(k, "web3", 22), kh_prefs(k, "web2", 2222));
	T_STREQ(kh_prefs(k, "web4", 22), PREFS_ED);
	/* like libssh2, a plain name also serves other ports */
	T_STREQ(kh_prefs(k, "web4", 2200), PREFS_ED);
	T_TRUE(kh_prefs(k, "web2", 22) == NULL);
	T_TRUE(kh_prefs(k, "web2", 2223) == NULL);
	T_TRUE(kh_prefs(k, "nohost", 22) == NULL);
	T_TRUE(kh_prefs(k, "*.example.com", 22) == NULL);
	kh_free(k);
}

TEST(hostkey_verify_match)
{
	struct known_hosts *k = NULL;
	char path[128];

	T_EQ(setup(), 0);
	T_EQ(common_file(path, sizeof path, "match"), 0);
	T_EQ(kh_load(path, &k, &err), 0);
	T_EQ(verify(k, "web1", 22, &ked, DROVE_HOSTKEY_STRICT), 0);
	T_TRUE(warn == NULL);
	T_EQ(verify(k, "web1", 22, &krsa, DROVE_HOSTKEY_STRICT), 0);
	T_EQ(verify(k, "web2", 2222, &kec, DROVE_HOSTKEY_STRICT), 0);
	T_EQ(verify(k, "web3", 22, &kec, DROVE_HOSTKEY_STRICT), 0);
	T_EQ(verify(k, "web4", 22, &ked, DROVE_HOSTKEY_STRICT), 0);
	T_EQ(verify(k, "web4", 2200, &ked, DROVE_HOSTKEY_STRICT), 0);
	T_TRUE(warn == NULL);
	kh_free(k);
}

TEST(hostkey_verify_changed)
{
	struct known_hosts *k = NULL;
	char path[128], want[1024];
	int pol;

	T_EQ(setup(), 0);
	T_EQ(common_file(path, sizeof path, "changed"), 0);
	T_EQ(kh_load(path, &k, &err), 0);
	for (pol = DROVE_HOSTKEY_STRICT; pol <= DROVE_HOSTKEY_ACCEPT_NEW;
	    pol++) {
		T_EQ(verify(k, "web1", 22, &ked2, pol), DROVE_E_HOSTKEY);
		snprintf(want, sizeof want, "host key for web1 has changed: "
		    "ssh-ed25519 %s, known_hosts has %s at %s:4; if the "
		    "change is expected, remove the old key with: ssh-keygen "
		    "-R 'web1' -f %s", ked2.fp, ked.fp, path, path);
		T_STREQ(err.msg, want);
		T_TRUE(warn == NULL);
	}
	T_EQ(verify(k, "web2", 2222, &kec, DROVE_HOSTKEY_STRICT), 0);
	/* another key of the plain host is port 22's: unknown, no change */
	T_EQ(verify(k, "web4", 2200, &ked2, DROVE_HOSTKEY_STRICT),
	    DROVE_E_HOSTKEY);
	snprintf(want, sizeof want, "host key for [web4]:2200 is unknown: "
	    "ssh-ed25519 %s", ked2.fp);
	T_STREQ(err.msg, want);
	T_EQ(verify(k, "web1", 22, &ked2, DROVE_HOSTKEY_OFF), 0);
	snprintf(want, sizeof want, "host key for web1 has changed: "
	    "ssh-ed25519 %s, known_hosts has %s at %s:4; continuing because "
	    "host key checking is off, with password and keyboard-interactive "
	    "authentication disabled", ked2.fp, ked.fp, path);
	T_STREQ(warn, want);
	T_TRUE(kh_changed(k));
	T_EQ(verify(k, "web1", 22, &ked, DROVE_HOSTKEY_OFF), 0);
	T_TRUE(!kh_changed(k));
	T_EQ(nlines(path), 7);
	kh_free(k);
}

TEST(hostkey_verify_unknown)
{
	struct known_hosts *k = NULL;
	char path[128], want[1024];

	T_EQ(setup(), 0);
	T_EQ(common_file(path, sizeof path, "unknown"), 0);
	T_EQ(kh_load(path, &k, &err), 0);
	T_EQ(verify(k, "new1", 2222, &ked, DROVE_HOSTKEY_STRICT),
	    DROVE_E_HOSTKEY);
	snprintf(want, sizeof want, "host key for [new1]:2222 is unknown: "
	    "ssh-ed25519 %s", ked.fp);
	T_STREQ(err.msg, want);
	T_EQ(verify(k, "new1", 2222, &ked, DROVE_HOSTKEY_OFF), 0);
	snprintf(want, sizeof want, "host key for [new1]:2222 is unknown: "
	    "ssh-ed25519 %s; continuing because host key checking is off",
	    ked.fp);
	T_STREQ(warn, want);
	/* web2:2222 has only an ECDSA key: another type is not accepted */
	T_EQ(verify(k, "web2", 2222, &ked, DROVE_HOSTKEY_ACCEPT_NEW),
	    DROVE_E_HOSTKEY);
	snprintf(want, sizeof want, "host key for [web2]:2222 is unknown: "
	    "ssh-ed25519 %s; known_hosts has a ecdsa-sha2-nistp256 key for "
	    "it at %s:5 but the server offered ssh-ed25519", ked.fp, path);
	T_STREQ(err.msg, want);
	T_EQ(nlines(path), 7);
	T_EQ(verify(k, "web1", 22, &kec, DROVE_HOSTKEY_ACCEPT_NEW),
	    DROVE_E_HOSTKEY);
	T_EQ(verify(k, "x", 22, &ked, DROVE_HOSTKEY_STRICT), DROVE_E_HOSTKEY);
	err_clear(&err);
	T_EQ(kh_verify(k, "web1", 22, (const char *)ked.blob, ked.len,
	    LIBSSH2_HOSTKEY_TYPE_UNKNOWN, DROVE_HOSTKEY_OFF, &warn, &err),
	    DROVE_E_HOSTKEY);
	T_STREQ(err.msg, "host key for web1 has an unsupported type (0)");
	memset(want, 'x', 300);
	want[300] = '\0';
	T_TRUE(kh_prefs(k, want, 22) == NULL);
	T_EQ(verify(k, want, 22, &ked, DROVE_HOSTKEY_ACCEPT_NEW),
	    DROVE_E_HOSTKEY);
	T_TRUE(strstr(err.msg, "...: host name too long") != NULL);
	T_EQ(nlines(path), 7);
	kh_free(k);
}

TEST(hostkey_accept_new_plain)
{
	struct known_hosts *k = NULL;
	char path[128], want[1200], cmd[1200];
	FILE *f;

	T_EQ(setup(), 0);
	T_EQ(common_file(path, sizeof path, "acceptplain"), 0);
	T_EQ(kh_load(path, &k, &err), 0);
	T_EQ(verify(k, "new1", 2222, &ked, DROVE_HOSTKEY_ACCEPT_NEW), 0);
	snprintf(want, sizeof want, "added [new1]:2222 (ssh-ed25519 %s) to "
	    "%s", ked.fp, path);
	T_STREQ(warn, want);
	T_EQ(kh_flush(k, &err), 0);	/* the appender wrote it */
	T_EQ(nlines(path), 8);
	/* remembered for the rest of the run */
	T_EQ(verify(k, "new1", 2222, &ked, DROVE_HOSTKEY_STRICT), 0);
	T_STREQ(kh_prefs(k, "new1", 2222), PREFS_ED);
	T_EQ(verify(k, "new1", 2222, &ked2, DROVE_HOSTKEY_ACCEPT_NEW),
	    DROVE_E_HOSTKEY);
	T_TRUE(strstr(err.msg, ":8; if the change") != NULL);
	kh_free(k);
	snprintf(cmd, sizeof cmd, "tail -n 1 %s", path);
	T_TRUE((f = popen(cmd, "r")) != NULL);
	T_TRUE(fgets(want, sizeof want, f) != NULL);
	pclose(f);
	snprintf(cmd, sizeof cmd, "[new1]:2222 ssh-ed25519 %s\n", ked.b64);
	T_STREQ(want, cmd);
	T_EQ(sh("ssh-keygen -F '[new1]:2222' -f %s >/dev/null", path), 0);
	T_EQ(kh_load(path, &k, &err), 0);
	T_TRUE(kh_load_warning(k) == NULL);
	T_EQ(verify(k, "new1", 2222, &ked, DROVE_HOSTKEY_STRICT), 0);
	kh_free(k);
}

TEST(hostkey_accept_new_creates_file)
{
	struct known_hosts *k = NULL;
	char path[128];
	struct stat st;

	T_EQ(setup(), 0);
	tpath(path, sizeof path, "newdir/known_hosts");
	T_EQ(kh_load(path, &k, &err), 0);
	T_TRUE(kh_prefs(k, "h", 22) == NULL);
	T_EQ(verify(k, "h", 22, &kec, DROVE_HOSTKEY_ACCEPT_NEW), 0);
	T_EQ(kh_flush(k, &err), 0);
	T_EQ(stat(path, &st), 0);
	T_EQ(st.st_mode & 07777, 0600);
	T_EQ(nlines(path), 1);
	T_EQ(sh("ssh-keygen -F h -f %s >/dev/null", path), 0);
	T_STREQ(kh_prefs(k, "h", 22), PREFS_EC);
	kh_free(k);
	tpath(path, sizeof path, "newdir");
	T_EQ(stat(path, &st), 0);
	T_EQ(st.st_mode & 07777, 0700);
}

TEST(hostkey_append_after_unterminated_line)
{
	struct known_hosts *k = NULL;
	char path[128];

	T_EQ(setup(), 0);
	tpath(path, sizeof path, "unterminated");
	T_EQ(wfile(path, "a ssh-ed25519 %s", ked.b64), 0);
	T_EQ(kh_load(path, &k, &err), 0);
	T_EQ(verify(k, "b", 22, &ked2, DROVE_HOSTKEY_ACCEPT_NEW), 0);
	T_EQ(verify(k, "b", 22, &ked, DROVE_HOSTKEY_STRICT), DROVE_E_HOSTKEY);
	T_TRUE(strstr(err.msg, path) != NULL &&
	    strstr(err.msg, ":2; if the change") != NULL);
	kh_free(k);
	T_EQ(nlines(path), 2);
	T_EQ(kh_load(path, &k, &err), 0);
	T_EQ(verify(k, "a", 22, &ked, DROVE_HOSTKEY_STRICT), 0);
	T_EQ(verify(k, "b", 22, &ked2, DROVE_HOSTKEY_STRICT), 0);
	kh_free(k);
}

TEST(hostkey_bad_lines_skipped)
{
	struct known_hosts *k = NULL;
	char path[128], want[512], *big;
	FILE *f;

	T_EQ(setup(), 0);
	tpath(path, sizeof path, "corrupt");
	T_TRUE((big = malloc(9000)) != NULL);
	memset(big, 'x', 8999);
	big[8999] = '\0';
	T_TRUE((f = fopen(path, "w")) != NULL);
	fprintf(f, "h1 ssh-ed25519 %s\n"
	    "garbage\n"
	    "h2 ssh-ed25519 !!!\n"
	    "#%s\n"
	    "h3 ssh-ed25519 %s %s\n"
	    "@bogus h4 ssh-ed25519 %s\n"
	    "h5 ssh-ed25519 %s\n", ked.b64, big, ked.b64, big, ked.b64,
	    ked2.b64);
	fclose(f);
	free(big);
	T_EQ(kh_load(path, &k, &err), 0);
	snprintf(want, sizeof want, "skipped 3 unreadable lines in %s "
	    "(line 2, 3, 6)", path);
	T_STREQ(kh_load_warning(k), want);
	T_EQ(verify(k, "h1", 22, &ked, DROVE_HOSTKEY_STRICT), 0);
	T_EQ(verify(k, "h3", 22, &ked, DROVE_HOSTKEY_STRICT), 0);
	T_EQ(verify(k, "h5", 22, &ked2, DROVE_HOSTKEY_STRICT), 0);
	T_EQ(verify(k, "h5", 22, &ked, DROVE_HOSTKEY_STRICT),
	    DROVE_E_HOSTKEY);
	T_TRUE(strstr(err.msg, ":7; if the change") != NULL);
	T_EQ(verify(k, "h4", 22, &ked, DROVE_HOSTKEY_STRICT),
	    DROVE_E_HOSTKEY);
	kh_free(k);
}

TEST(hostkey_revoked)
{
	struct known_hosts *k = NULL;
	char path[128], want[512];

	T_EQ(setup(), 0);
	tpath(path, sizeof path, "revoked");
	T_EQ(wfile(path, "h1 ssh-ed25519 %s\n@revoked * ssh-ed25519 %s\n",
	    ked2.b64, ked2.b64), 0);
	T_EQ(kh_load(path, &k, &err), 0);
	T_EQ(verify(k, "h1", 22, &ked2, DROVE_HOSTKEY_OFF), DROVE_E_HOSTKEY);
	snprintf(want, sizeof want, "host key for h1 is revoked: ssh-ed25519 "
	    "%s, marked @revoked at %s:2", ked2.fp, path);
	T_STREQ(err.msg, want);
	T_EQ(verify(k, "h2", 22, &ked, DROVE_HOSTKEY_STRICT), DROVE_E_HOSTKEY);
	kh_free(k);
}

/* @cert-authority lines are not used, and said so for the hosts they name:
 * "*" and "?" (brackets plain), "!" excluding, "[host]:port" or host. */
TEST(hostkey_cert_authority_named_not_used)
{
	static const struct {
		const char	*host;
		int		 port;
		int		 line;		/* 0: none names it */
	} c[] = {
		{ "web1.example.com", 22, 1 },
		{ "bad.example.com", 22, 0 },
		{ "db1", 2222, 2 },
		{ "db1", 22, 0 },
		{ "dbx", 2222, 2 },
		{ "other", 22, 0 },
	};
	struct known_hosts *k = NULL;
	char path[128], want[512];
	size_t i;

	T_EQ(setup(), 0);
	tpath(path, sizeof path, "ca");
	T_EQ(wfile(path, "@cert-authority *.example.com,!bad.example.com "
	    "ssh-ed25519 %s\n@cert-authority [db?]:2222 ssh-ed25519 %s\n"
	    "@cert-authority\n", ked2.b64, ked2.b64), 0);
	T_EQ(kh_load(path, &k, &err), 0);
	/* a marker without patterns is a bad line */
	T_TRUE(kh_load_warning(k) != NULL &&
	    strstr(kh_load_warning(k), "(line 3)") != NULL);
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		T_EQ(verify(k, c[i].host, c[i].port, &ked,
		    DROVE_HOSTKEY_STRICT), DROVE_E_HOSTKEY);
		snprintf(want, sizeof want, "; %s:%d is an @cert-authority "
		    "line for it, which drove does not use", path, c[i].line);
		T_EQ(strstr(err.msg, want) != NULL, c[i].line != 0);
		T_EQ(strstr(err.msg, "@cert-authority") != NULL,
		    c[i].line != 0);
	}
	kh_free(k);
}

TEST(hostkey_missing_or_unreadable)
{
	struct known_hosts *k = NULL;
	char want[256];

	T_EQ(setup(), 0);
	T_EQ(kh_load(dir, &k, &err), DROVE_E_IO);
	T_TRUE(k == NULL);
	snprintf(want, sizeof want, "read %s: Is a directory", dir);
	T_STREQ(err.msg, want);
}

/* The hashed copy of the common file, made by ssh-keygen -H. */
static int
hashed_file(char *path, size_t size, const char *name)
{
	if (common_file(path, size, name) != 0)
		return -1;
	return sh("ssh-keygen -H -f %s >/dev/null 2>&1 && "
	    "! grep -q '^web' %s", path, path);
}

TEST(hostkey_hashed)
{
	struct known_hosts *k = NULL;
	char path[128], want[1024];
	int n;

	T_EQ(setup(), 0);
	T_EQ(hashed_file(path, sizeof path, "hashed"), 0);
	n = nlines(path) + 1;	/* -H gives each name its own line */
	T_EQ(kh_load(path, &k, &err), 0);
	T_TRUE(kh_load_warning(k) == NULL);
	T_STREQ(kh_prefs(k, "web1", 22), PREFS_ED_RSA);
	T_STREQ(kh_prefs(k, "web3", 22), kh_prefs(k, "web2", 2222));
	T_STREQ(kh_prefs(k, "web3", 22), PREFS_EC);
	T_TRUE(kh_prefs(k, "web2", 22) == NULL);
	T_EQ(verify(k, "web2", 2222, &kec, DROVE_HOSTKEY_STRICT), 0);
	T_EQ(verify(k, "web1", 22, &krsa, DROVE_HOSTKEY_STRICT), 0);
	T_EQ(verify(k, "web4", 22, &ked2, DROVE_HOSTKEY_STRICT),
	    DROVE_E_HOSTKEY);
	T_TRUE(strstr(err.msg, "-R 'web4'") != NULL);
	T_EQ(verify(k, "web2", 2222, &ked, DROVE_HOSTKEY_STRICT),
	    DROVE_E_HOSTKEY);
	snprintf(want, sizeof want, "host key for [web2]:2222 is unknown: "
	    "ssh-ed25519 %s; known_hosts has a ecdsa-sha2-nistp256 key for "
	    "it at ", ked.fp);
	T_TRUE(strncmp(err.msg, want, strlen(want)) == 0);
	/* a hashed file gets hashed entries */
	T_EQ(verify(k, "new1", 2222, &ked, DROVE_HOSTKEY_ACCEPT_NEW), 0);
	T_EQ(verify(k, "new1", 2222, &ked, DROVE_HOSTKEY_STRICT), 0);
	T_STREQ(kh_prefs(k, "new1", 2222), PREFS_ED);
	kh_free(k);
	T_EQ(sh("tail -n 1 %s | grep -q '^|1|[^ ]* ssh-ed25519 %s$'", path,
	    ked.b64), 0);
	T_EQ(sh("ssh-keygen -F '[new1]:2222' -f %s | grep -q 'found: line %d '",
	    path, n), 0);
	T_EQ(kh_load(path, &k, &err), 0);
	T_EQ(verify(k, "new1", 2222, &ked, DROVE_HOSTKEY_STRICT), 0);
	T_EQ(verify(k, "new1", 2222, &ked2, DROVE_HOSTKEY_STRICT),
	    DROVE_E_HOSTKEY);
	snprintf(want, sizeof want, "%s:%d; if the change", path, n);
	T_TRUE(strstr(err.msg, want) != NULL);
	kh_free(k);
}

/* Accept n new hosts named prefix0.. into path in this process. */
static int
accept_many(const char *path, const char *prefix, int n)
{
	struct known_hosts *k = NULL;
	char host[32];
	int i, r;

	if ((r = kh_load(path, &k, &err)) != 0)
		return r;
	for (i = 0; i < n && r == 0; i++) {
		snprintf(host, sizeof host, "%s%d", prefix, i);
		r = verify(k, host, 2222, &ked, DROVE_HOSTKEY_ACCEPT_NEW);
	}
	kh_free(k);
	return r;
}

TEST(hostkey_concurrent_appends)
{
	struct known_hosts *k = NULL;
	char path[128], host[32];
	pid_t pid[2];
	int i, st;

	T_EQ(setup(), 0);
	T_EQ(common_file(path, sizeof path, "concurrent"), 0);
	fflush(NULL);
	for (i = 0; i < 2; i++) {
		T_TRUE((pid[i] = fork()) != -1);
		if (pid[i] == 0)
			_exit(accept_many(path, i ? "b" : "a", 150) ? 1 : 0);
	}
	for (i = 0; i < 2; i++) {
		T_EQ(waitpid(pid[i], &st, 0), pid[i]);
		T_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	T_EQ(nlines(path), 7 + 300);
	T_EQ(kh_load(path, &k, &err), 0);
	T_TRUE(kh_load_warning(k) == NULL);
	for (i = 0; i < 300; i++) {
		snprintf(host, sizeof host, "%s%d", i % 2 ? "b" : "a", i / 2);
		T_EQ(verify(k, host, 2222, &ked, DROVE_HOSTKEY_STRICT), 0);
	}
	kh_free(k);
}

TEST(hostkey_large_hashed_file)
{
	struct known_hosts *k = NULL;
	char path[128];
	FILE *f;
	int i;

	T_EQ(setup(), 0);
	tpath(path, sizeof path, "large");
	T_TRUE((f = fopen(path, "w")) != NULL);
	for (i = 0; i < 5000; i++) {
		fprintf(f, "host%d ssh-ed25519 %s\n", i,
		    i % 2 ? ked.b64 : ked2.b64);
		fprintf(f, "[host%d]:2222 ecdsa-sha2-nistp256 %s\n", i,
		    kec.b64);
	}
	fclose(f);
	T_EQ(sh("ssh-keygen -H -f %s >/dev/null 2>&1", path), 0);
	T_EQ(kh_load(path, &k, &err), 0);
	T_TRUE(kh_load_warning(k) == NULL);
	T_STREQ(kh_prefs(k, "host4567", 22), PREFS_ED);
	T_STREQ(kh_prefs(k, "host4567", 2222), PREFS_EC);
	T_TRUE(kh_prefs(k, "host5000", 22) == NULL);
	T_EQ(verify(k, "host4567", 22, &ked, DROVE_HOSTKEY_STRICT), 0);
	T_EQ(verify(k, "host4567", 2222, &kec, DROVE_HOSTKEY_STRICT), 0);
	T_EQ(verify(k, "host4568", 22, &ked, DROVE_HOSTKEY_STRICT),
	    DROVE_E_HOSTKEY);
	T_TRUE(strstr(err.msg, ":9137; if the change") != NULL);
	T_EQ(verify(k, "host5000", 22, &ked, DROVE_HOSTKEY_STRICT),
	    DROVE_E_HOSTKEY);
	T_TRUE(strstr(err.msg, "is unknown") != NULL);
	kh_free(k);
}

/*
 * Handshake with "sshd -i" over a socketpair, host key preference from k
 * for host, and run kh_check() under policy.
 */
static int
check_sshd(struct known_hosts *k, const char *host,
    enum drove_hostkey_policy policy)
{
	LIBSSH2_SESSION *s = NULL;
	const char *prefs;
	char cfg[128];
	pid_t pid;
	int sv[2], st, r = -100;

	tpath(cfg, sizeof cfg, "sshd_config");
	if (wfile(cfg, "HostKey %s/ec\nHostKey %s/ed\nPidFile none\n"
	    "UsePAM no\nLogLevel QUIET\n", dir, dir) != 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return r;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		dup2(sv[1], 0);
		dup2(sv[1], 1);
		close(sv[0]);
		close(sv[1]);
		execl("/usr/sbin/sshd", "sshd", "-i", "-f", cfg, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	if (pid != -1 && (s = libssh2_session_init()) != NULL &&
	    ((prefs = kh_prefs(k, host, 22)) == NULL ||
	    libssh2_session_method_pref(s, LIBSSH2_METHOD_HOSTKEY,
	    prefs) == 0) && libssh2_session_handshake(s, sv[0]) == 0) {
		err_clear(&err);
		r = kh_check(k, s, host, 22, policy, &warn, &err);
		libssh2_session_disconnect(s, "bye");
	}
	if (s != NULL)
		libssh2_session_free(s);
	close(sv[0]);
	if (pid != -1)
		waitpid(pid, &st, 0);
	return r;
}

TEST(hostkey_check_session)
{
	struct known_hosts *k = NULL;
	char path[128], want[1024];

	T_EQ(setup(), 0);
	tpath(path, sizeof path, "session");
	T_EQ(wfile(path, "edhost ssh-ed25519 %s\n", ked.b64), 0);
	T_EQ(kh_load(path, &k, &err), 0);
	/* the preference makes libssh2 1.10 take ed25519, not ECDSA */
	T_EQ(check_sshd(k, "edhost", DROVE_HOSTKEY_STRICT), 0);
	T_EQ(check_sshd(k, "other", DROVE_HOSTKEY_STRICT), DROVE_E_HOSTKEY);
	snprintf(want, sizeof want, "host key for other is unknown: "
	    "ecdsa-sha2-nistp256 %s", kec.fp);
	T_STREQ(err.msg, want);
	kh_free(k);
}

TEST(hostkey_accept_new_unwritable)
{
	struct known_hosts *k = NULL;
	char path[128];

	/* the appender fails; the key is trusted for the run all the same,
	 * and kh_flush() says how many were not added */
	T_EQ(setup(), 0);
	snprintf(path, sizeof path, "/proc/drove-none/known_hosts");
	T_EQ(kh_load(path, &k, &err), 0);
	T_EQ(verify(k, "h1", 22, &ked, DROVE_HOSTKEY_ACCEPT_NEW), 0);
	T_EQ(verify(k, "h2", 22, &kec, DROVE_HOSTKEY_ACCEPT_NEW), 0);
	T_EQ(verify(k, "h1", 22, &ked, DROVE_HOSTKEY_STRICT), 0);
	T_EQ(kh_flush(k, &err), DROVE_E_IO);
	T_TRUE(strncmp(err.msg, "2 host keys not added to ", 25) == 0);
	T_EQ(kh_flush(k, &err), 0);
	kh_free(k);
}
