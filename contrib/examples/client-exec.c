/*
 * client-exec.c: run one command on one host with libdrove's blocking
 * client and print what it wrote and how it ended, the smallest complete
 * use of the client API.
 *
 * Usage: client-exec KNOWN_HOSTS KEY USER HOST PORT COMMAND
 * Build: cc client-exec.c $(pkg-config --cflags --libs drove)
 * Exits with the command's exit status, 128 + 1 when it was killed by a
 * signal, 255 when it could not run.
 */
#include <stdio.h>
#include <stdlib.h>

#include <drove.h>

int
main(int argc, char **argv)
{
	struct drove_client_result *r = NULL;
	drove_client *c;
	int rc = 255;

	if (argc != 7) {
		fprintf(stderr, "usage: client-exec KNOWN_HOSTS KEY USER HOST "
		    "PORT COMMAND\n");
		return 255;
	}
	if ((c = drove_client_new()) == NULL)
		return 255;
	if (drove_client_set_known_hosts(c, argv[1]) != 0 ||
	    drove_client_add_identity(c, argv[2]) != 0 ||
	    drove_client_use_agent(c, 0) != 0 ||
	    drove_client_connect(c, argv[4], atoi(argv[5]), argv[3]) != 0 ||
	    drove_client_exec(c, argv[6], &r) != 0) {
		fprintf(stderr, "client-exec: %s\n", drove_client_error(c));
		goto out;
	}
	fwrite(r->out, 1, r->out_len, stdout);
	fwrite(r->err, 1, r->err_len, stderr);
	if (r->signal[0] != '\0') {
		fprintf(stderr, "client-exec: killed by SIG%s\n", r->signal);
		rc = 129;
	} else {
		fprintf(stderr, "client-exec: exit %d\n", r->exit_status);
		rc = r->exit_status;
	}
 out:
	drove_client_result_free(r);
	drove_client_free(c);
	return rc;
}
