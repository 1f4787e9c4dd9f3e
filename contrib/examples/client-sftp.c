/*
 * client-sftp.c: send a file to one host, fetch it back and show its
 * remote size and mode, with libdrove's blocking client.
 *
 * Usage: client-sftp KNOWN_HOSTS KEY USER HOST PORT LOCAL REMOTE COPY
 * Build: cc client-sftp.c $(pkg-config --cflags --libs drove)
 * Puts LOCAL at REMOTE (mode 0640), gets REMOTE into COPY and prints
 * "REMOTE: SIZE bytes, mode OCTAL"; exits 0, or 1 with the error.
 */
#include <stdio.h>
#include <stdlib.h>

#include <drove.h>

int
main(int argc, char **argv)
{
	struct drove_client_stat st;
	drove_client *c;
	int rc = 1;

	if (argc != 9) {
		fprintf(stderr, "usage: client-sftp KNOWN_HOSTS KEY USER HOST "
		    "PORT LOCAL REMOTE COPY\n");
		return 2;
	}
	if ((c = drove_client_new()) == NULL)
		return 1;
	if (drove_client_set_known_hosts(c, argv[1]) != 0 ||
	    drove_client_add_identity(c, argv[2]) != 0 ||
	    drove_client_use_agent(c, 0) != 0 ||
	    drove_client_connect(c, argv[4], atoi(argv[5]), argv[3]) != 0 ||
	    drove_client_put(c, argv[6], argv[7], 0640) != 0 ||
	    drove_client_get(c, argv[7], argv[8]) != 0 ||
	    drove_client_stat(c, argv[7], &st) != 0) {
		fprintf(stderr, "client-sftp: %s\n", drove_client_error(c));
		goto out;
	}
	printf("%s: %llu bytes, mode %o\n", argv[7],
	    (unsigned long long)st.size, (unsigned int)(st.mode & 07777));
	rc = 0;
 out:
	drove_client_free(c);
	return rc;
}
