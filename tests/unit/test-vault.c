/*
 * test-vault.c: Ansible vault texts made by ansible-vault encrypt_string
 * (ansible-core 2.14, password "unit-test-pw"), decrypted; a wrong
 * password, a changed byte and bad texts refused with their reasons; an
 * inventory's vaulted values decrypted when used, never before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "inventory/vault.h"
#include "drove.h"
#include "test.h"

#define PW	"unit-test-pw"

static const char v11[] =
    "$ANSIBLE_VAULT;1.1;AES256\n"
    "32373539323034396536323830373563346230353332336532396435636232333030"
    "626236373537\n"
    "6536616533653466386638366133383634653931343334610a663864366630633930"
    "366230393934\n"
    "66393034613832313534633839303232323064373633623334356163366161383033"
    "396662323634\n"
    "3438326435663464310a346130613134646365333331303235666330313963373565"
    "343161366232\n"
    "63363838376337623330313166316235323463323733366238316339393063616233\n";

static const char v12[] =
    "$ANSIBLE_VAULT;1.2;AES256;ops\n"
    "38383461396632366535323363663332306233366335653736303132336136336166"
    "396635306266\n"
    "3938373566663163656566626639633835326132363264310a386563663863303262"
    "653333646663\n"
    "62616634333161363538316166353134663239646634626230626564316539646238"
    "383765303461\n"
    "6238303831663235370a303431323534383539613637666664366362376365336631"
    "346231663233\n"
    "6638\n";

TEST(vault_decrypts_ansible_vault_texts)
{
	const char *why;
	char *out;
	size_t len;

	T_TRUE(vault_is(v11));
	T_TRUE(vault_is("  \n$ANSIBLE_VAULT;1.1;AES256\n00"));
	T_TRUE(!vault_is("$ANSIBLE_VAUL"));
	T_EQ(vault_decrypt(v11, PW, strlen(PW), &out, &len, &why), 0);
	T_STREQ(out, "drove unit secret");
	T_EQ(len, 17);
	free(out);
	T_EQ(vault_decrypt(v12, PW, strlen(PW), &out, &len, &why), 0);
	T_STREQ(out, "v12");
	free(out);
}

TEST(vault_refuses)
{
	const char *why;
	char *out, *bad;
	size_t len, at;

	T_EQ(vault_decrypt(v11, "wrong", 5, &out, &len, &why), DROVE_E_AUTH);
	T_STREQ(why, "the vault password does not decrypt it");
	T_TRUE(out == NULL);
	/* The last ciphertext digit 3 (hex "33") made 4 ("34"): the HMAC
	 * no longer matches. */
	T_TRUE((bad = strdup(v11)) != NULL);
	at = strlen(bad) - 2;
	T_EQ(bad[at], '3');
	bad[at] = '4';
	T_EQ(vault_decrypt(bad, PW, strlen(PW), &out, &len, &why),
	    DROVE_E_AUTH);
	free(bad);
	T_EQ(vault_decrypt("$ANSIBLE_VAULT;1.1;AES256\n61zz\n", PW,
	    strlen(PW), &out, &len, &why), DROVE_E_INVENTORY);
	T_STREQ(why, "bad vault text: expected hex of salt, HMAC and "
	    "ciphertext");
	T_EQ(vault_decrypt("$ANSIBLE_VAULT;1.0;AES\n00\n", PW, strlen(PW),
	    &out, &len, &why), DROVE_E_INVENTORY);
	T_STREQ(why, "unknown vault format: expected $ANSIBLE_VAULT;1.1;AES256 "
	    "or 1.2;AES256;ID");
	T_EQ(vault_decrypt("$ANSIBLE_VAULT;1.1;AES256", PW, strlen(PW), &out,
	    &len, &why), DROVE_E_INVENTORY);
	T_STREQ(why, "no body after the vault header");
}

/* Writes vault text v indented under "KEY: !vault |" onto f. */
static void
put_vaulted(FILE *f, const char *key, const char *v)
{
	fprintf(f, "      %s: !vault |\n", key);
	for (; *v != '\0'; v = strchr(v, '\n') + 1)
		fprintf(f, "        %.*s\n", (int)(strchr(v, '\n') - v), v);
}

/* Collects the values of each_var walks. */
static int
vault_cb(const char *name, const char *value, const char *source, void *arg)
{
	struct buf *b = arg;

	(void)source;
	return buf_printf(b, "%s=%s;", name, value);
}

TEST(vault_values_decrypted_when_used)
{
	char path[] = "/tmp/drove-vault-XXXXXX.yml";
	struct drove_hostspec spec;
	drove_inventory *inv;
	size_t h = 0;
	struct buf b;
	FILE *f;
	int fd;

	T_TRUE((fd = mkstemps(path, 4)) >= 0);
	T_TRUE((f = fdopen(fd, "w")) != NULL);
	fputs("all:\n  hosts:\n    h:\n", f);
	put_vaulted(f, "app_secret", v11);
	fclose(f);
	/* Without the password: loaded, no connection var is vaulted. */
	inv = drove_inventory_new();
	T_EQ(drove_inventory_load(inv, path), 0);
	T_EQ(drove_inventory_var_is_vaulted(inv, 0, "app_secret"), 1);
	T_TRUE(drove_inventory_var(inv, 0, "app_secret") == NULL);
	T_EQ(drove_inventory_check_vault(inv, &h, 1, 0), 0);
	T_EQ(drove_inventory_hostspec(inv, 0, &spec), 0);
	T_EQ(drove_inventory_check_vault(inv, &h, 1, 1), DROVE_E_INVENTORY);
	T_TRUE(strstr(drove_inventory_error(inv), "host h: app_secret (host "
	    "h) is vault-encrypted: give --vault-password-file") != NULL);
	/* With it: decrypted when used, never in the JSON. */
	T_EQ(drove_inventory_set_vault_password(inv, PW, strlen(PW)), 0);
	T_STREQ(drove_inventory_var(inv, 0, "app_secret"),
	    "drove unit secret");
	buf_init(&b);
	T_EQ(drove_inventory_each_var_json(inv, 0, vault_cb, &b), 0);
	T_TRUE(strstr(b.data, "app_secret={\"__ansible_vault\": "
	    "\"$ANSIBLE_VAULT;1.1;AES256\\n") != NULL);
	T_TRUE(strstr(b.data, "secret;") == NULL);
	b.len = 0;
	T_EQ(drove_inventory_each_var(inv, 0, vault_cb, &b), 0);
	T_TRUE(strstr(b.data, "app_secret=drove unit secret;") != NULL);
	buf_release(&b);
	drove_inventory_free(inv);
	/* A vaulted connection var: an error without the password. */
	T_TRUE((f = fopen(path, "w")) != NULL);
	fputs("all:\n  hosts:\n    h:\n", f);
	put_vaulted(f, "ansible_password", v11);
	fclose(f);
	inv = drove_inventory_new();
	T_EQ(drove_inventory_load(inv, path), 0);
	T_EQ(drove_inventory_check_vault(inv, &h, 1, 0), DROVE_E_INVENTORY);
	T_STREQ(drove_inventory_error(inv), "host h: ansible_password (host "
	    "h) is vault-encrypted: give --vault-password-file FILE or "
	    "--ask-vault-pass");
	T_EQ(drove_inventory_hostspec(inv, 0, &spec), DROVE_E_INVENTORY);
	T_EQ(drove_inventory_set_vault_password(inv, "wrong", 5), 0);
	T_EQ(drove_inventory_check_vault(inv, &h, 1, 0), DROVE_E_INVENTORY);
	T_TRUE(strstr(drove_inventory_error(inv), "cannot decrypt "
	    "ansible_password") != NULL);
	T_EQ(drove_inventory_set_vault_password(inv, PW, strlen(PW)), 0);
	T_EQ(drove_inventory_check_vault(inv, &h, 1, 0), 0);
	T_EQ(drove_inventory_hostspec(inv, 0, &spec), 0);
	T_STREQ(spec.password, "drove unit secret");
	drove_inventory_free(inv);
	unlink(path);
}
