#!/usr/bin/python3
# ssh-noeof.py: an SSH server built on paramiko (a second, independent SSH
# implementation) that ends every exec channel with CLOSE and no EOF before
# it, which RFC 4254 allows and OpenSSH never does.
#
# Usage: ssh-noeof.py HOSTKEY AUTHORIZED_KEYS
# Listens on a port of 127.0.0.1 that the kernel picks and prints it on one
# line.  Accepts any user whose public key is in AUTHORIZED_KEYS (OpenSSH
# format).  An exec request runs the command with /bin/sh (stdin from
# /dev/null), sends its stdout and stderr, then its exit status, then
# closes the channel: paramiko is told its EOF was already sent, so its
# close sends CHANNEL_CLOSE alone.  A pty request is granted (and ignored).
# One thread per connection; runs until killed.
import base64
import socket
import subprocess
import sys
import threading

import paramiko


def load_keys(path):
    keys = set()
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                keys.add((parts[0], parts[1]))
    return keys


class Server(paramiko.ServerInterface):
    def __init__(self, keys):
        self.keys = keys

    def get_allowed_auths(self, username):
        return "publickey"

    def check_auth_publickey(self, username, key):
        blob = base64.b64encode(key.asbytes()).decode()
        if (key.get_name(), blob) in self.keys:
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_pty_request(self, channel, term, width, height,
                                  pixelwidth, pixelheight, modes):
        return True

    def check_channel_exec_request(self, channel, command):
        threading.Thread(target=run, args=(channel, command),
                         daemon=True).start()
        return True


def run(channel, command):
    p = subprocess.run(["/bin/sh", "-c", command.decode()],
                       stdin=subprocess.DEVNULL, capture_output=True)
    channel.sendall(p.stdout)
    channel.sendall_stderr(p.stderr)
    channel.send_exit_status(p.returncode)
    channel.eof_sent = True     # close without sending EOF
    channel.close()


def serve(conn, hostkey, keys):
    t = paramiko.Transport(conn)
    t.add_server_key(hostkey)
    try:
        t.start_server(server=Server(keys))
        while t.is_active():
            t.join(1)
    except Exception as e:
        print("ssh-noeof: %s" % e, file=sys.stderr)


def main():
    hostkey = paramiko.Ed25519Key.from_private_key_file(sys.argv[1])
    keys = load_keys(sys.argv[2])
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    print(ls.getsockname()[1], flush=True)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn, hostkey, keys),
                         daemon=True).start()


main()
