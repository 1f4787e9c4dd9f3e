"""drove.py: a Python 3 ctypes smoke test of libdrove (stdlib only).

Usage: python3 drove.py LIBDROVE_SO KNOWN_HOSTS KEY PORT CLOSED_PORT DIR

Runs a command on two hosts (both 127.0.0.1:PORT) through the fleet API
with an event callback, then uses the blocking client: a refused
connection (to CLOSED_PORT, where nothing listens), connect, exec, put, get and stat under DIR.  Prints one line
per check; exits 1 at the first one that fails.
"""
import ctypes
import os
import sys
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_char, c_char_p,
                    c_int, c_int64, c_size_t, c_uint, c_uint32, c_uint64,
                    c_void_p, string_at)

DROVE_E_REFUSED = -7
DROVE_ST_FAILED = 2


class HostSpec(Structure):
    pass


# jump points at another HostSpec: the jump host, whose own jump is the
# hop before it.
HostSpec._fields_ = [("name", c_char_p), ("address", c_char_p),
                     ("port", c_int), ("user", c_char_p), ("key", c_char_p),
                     ("password", c_char_p), ("connect_timeout_ms", c_uint),
                     ("keepalive_s", c_uint), ("known_hosts", c_char_p),
                     ("hostkey_check", c_char_p),
                     ("identities_only", c_int),
                     ("cert", c_char_p),
                     ("jump", POINTER(HostSpec)),
                     ("proxy_command", c_char_p),
                     ("become", c_char_p), ("become_user", c_char_p),
                     ("become_method", c_char_p),
                     ("become_password", c_char_p)]


class Result(Structure):
    _fields_ = [("status", c_int), ("exit_code", c_int),
                ("signal", c_char * 32), ("error", c_int),
                ("msg", c_char * 512), ("elapsed_ms", c_uint64),
                ("out_bytes", c_uint64), ("err_bytes", c_uint64),
                ("reached", c_int), ("retries", c_uint), ("changed", c_int),
                ("files", c_uint), ("files_same", c_uint),
                ("xfer_bytes", c_uint64)]


class Event(Structure):
    _fields_ = [("type", c_int), ("host", c_size_t), ("name", c_char_p),
                ("data", c_void_p), ("len", c_size_t),
                ("result", POINTER(Result))]


class ClientResult(Structure):
    _fields_ = [("exit_status", c_int), ("signal", c_char * 32),
                ("out", c_void_p), ("out_len", c_size_t),
                ("err", c_void_p), ("err_len", c_size_t)]


class ClientStat(Structure):
    _fields_ = [("size", c_uint64), ("mode", c_uint32), ("uid", c_uint32),
                ("gid", c_uint32), ("atime", c_int64), ("mtime", c_int64)]


EventCb = CFUNCTYPE(None, POINTER(Event), c_void_p)


def check(what, got, want):
    """Print the check; exit 1 when got is not want."""
    if got != want:
        print("FAIL %s: got %r, want %r" % (what, got, want))
        sys.exit(1)
    print("ok %s" % what)


def declare(lib):
    """Give the functions used here their C types."""
    sigs = {
        "drove_version": (c_char_p, []),
        "drove_strerror": (c_char_p, [c_int]),
        "drove_fleet_new": (c_void_p, []),
        "drove_fleet_free": (None, [c_void_p]),
        "drove_fleet_error": (c_char_p, [c_void_p]),
        "drove_fleet_set_known_hosts": (c_int, [c_void_p, c_char_p]),
        "drove_fleet_add_identity": (c_int, [c_void_p, c_char_p]),
        "drove_fleet_use_agent": (c_int, [c_void_p, c_int]),
        "drove_fleet_use_default_identities": (c_int, [c_void_p, c_int]),
        "drove_fleet_add_host": (c_int, [c_void_p, POINTER(HostSpec)]),
        "drove_fleet_exec": (c_int, [c_void_p, c_char_p, c_int]),
        "drove_fleet_set_event_cb": (None, [c_void_p, EventCb, c_void_p]),
        "drove_fleet_run": (c_int, [c_void_p]),
        "drove_fleet_result": (POINTER(Result), [c_void_p, c_size_t]),
        "drove_client_new": (c_void_p, []),
        "drove_client_free": (None, [c_void_p]),
        "drove_client_error": (c_char_p, [c_void_p]),
        "drove_client_set_known_hosts": (c_int, [c_void_p, c_char_p]),
        "drove_client_add_identity": (c_int, [c_void_p, c_char_p]),
        "drove_client_use_agent": (c_int, [c_void_p, c_int]),
        "drove_client_use_default_identities": (c_int, [c_void_p, c_int]),
        "drove_client_connect": (c_int, [c_void_p, c_char_p, c_int,
                                         c_char_p]),
        "drove_client_exec": (c_int, [c_void_p, c_char_p,
                                      POINTER(POINTER(ClientResult))]),
        "drove_client_result_free": (None, [POINTER(ClientResult)]),
        "drove_client_put": (c_int, [c_void_p, c_char_p, c_char_p, c_int]),
        "drove_client_get": (c_int, [c_void_p, c_char_p, c_char_p]),
        "drove_client_stat": (c_int, [c_void_p, c_char_p,
                                      POINTER(ClientStat)]),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = res
        fn.argtypes = args


def fleet(lib, kh, key, port):
    """Run a command on two hosts through the fleet API."""
    out = {}

    def on_event(ev, arg):
        e = ev.contents
        if e.type in (1, 2):            # DROVE_EV_STDOUT, DROVE_EV_STDERR
            k = (e.name.decode(), e.type)
            out[k] = out.get(k, b"") + string_at(e.data, e.len)

    cb = EventCb(on_event)
    f = lib.drove_fleet_new()
    check("fleet_new", bool(f), True)
    check("set_known_hosts", lib.drove_fleet_set_known_hosts(f, kh), 0)
    check("add_identity", lib.drove_fleet_add_identity(f, key), 0)
    lib.drove_fleet_use_agent(f, 0)
    lib.drove_fleet_use_default_identities(f, 0)
    for i, name in enumerate((b"one", b"two")):
        spec = HostSpec(name=name, address=b"127.0.0.1", port=port,
                        user=b"root")
        check("add_host %s" % name.decode(),
              lib.drove_fleet_add_host(f, byref(spec)), i)
    check("exec", lib.drove_fleet_exec(
        f, b"echo hi; echo oops >&2; exit 2", -1), 0)
    lib.drove_fleet_set_event_cb(f, cb, None)
    check("run", lib.drove_fleet_run(f), 0)
    for i, name in enumerate(("one", "two")):
        r = lib.drove_fleet_result(f, i).contents
        check("%s status" % name, r.status, DROVE_ST_FAILED)
        check("%s exit code" % name, r.exit_code, 2)
        check("%s stdout" % name, out.get((name, 1)), b"hi\n")
        check("%s stderr" % name, out.get((name, 2)), b"oops\n")
    lib.drove_fleet_free(f)


def client(lib, kh, key, port, closed, workdir):
    """Connect, exec and move a file with the blocking client."""
    c = lib.drove_client_new()
    check("client_new", bool(c), True)
    lib.drove_client_set_known_hosts(c, kh)
    lib.drove_client_add_identity(c, key)
    lib.drove_client_use_agent(c, 0)
    lib.drove_client_use_default_identities(c, 0)
    check("connect refused",
          lib.drove_client_connect(c, b"127.0.0.1", closed, b"root"),
          DROVE_E_REFUSED)
    check("refused message", lib.drove_client_error(c).decode(),
          "connect to 127.0.0.1 port %d: connection refused" % closed)
    check("connect", lib.drove_client_connect(c, b"127.0.0.1", port,
                                              b"root"), 0)
    r = POINTER(ClientResult)()
    check("client exec", lib.drove_client_exec(
        c, b"printf 'a\\0b'; echo err >&2; exit 4", byref(r)), 0)
    res = r.contents
    check("client stdout", string_at(res.out, res.out_len), b"a\0b")
    check("client stderr", string_at(res.err, res.err_len), b"err\n")
    check("client exit", (res.exit_status, res.signal), (4, b""))
    lib.drove_client_result_free(r)
    src = os.path.join(workdir, "py-src")
    with open(src, "wb") as fh:
        fh.write(os.urandom(100000))
    remote = os.path.join(workdir, "py-remote").encode()
    copy = os.path.join(workdir, "py-copy").encode()
    check("put", lib.drove_client_put(c, src.encode(), remote, 0o600), 0)
    check("get", lib.drove_client_get(c, remote, copy), 0)
    with open(src, "rb") as a, open(copy, "rb") as b:
        check("same bytes", a.read() == b.read(), True)
    st = ClientStat()
    check("stat", lib.drove_client_stat(c, remote, byref(st)), 0)
    check("stat size and mode", (st.size, st.mode & 0o7777), (100000, 0o600))
    lib.drove_client_free(c)


def main():
    """Load the library and run both faces."""
    lib = ctypes.CDLL(sys.argv[1])
    declare(lib)
    kh, key = sys.argv[2].encode(), sys.argv[3].encode()
    port, closed, workdir = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    check("version x.y.z", len(lib.drove_version().split(b".")), 3)
    check("strerror", lib.drove_strerror(DROVE_E_REFUSED),
          b"connection refused")
    fleet(lib, kh, key, port)
    client(lib, kh, key, port, closed, workdir)


main()
