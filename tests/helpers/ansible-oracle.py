#!/usr/bin/python3
# ansible-oracle.py: hold drove's reading of an inventory against Ansible's.
#
# Usage: ansible-oracle.py DROVE INVENTORY [PATTERN...]
#
# Runs `ansible-inventory -i INVENTORY --list` and, for each PATTERN,
# `ansible -i INVENTORY PATTERN --list-hosts` (ansible-core is the oracle),
# then drove's `inventory groups --json`, `inventory list --json` and
# `inventory list PATTERN`, and compares:
#   - the groups: each group's direct hosts and children, in order;
#   - every host's vars after precedence (group_vars/ and host_vars/
#     included); drove's built-in defaults (ansible_port 22, the local user)
#     are left out, and drove's aliases (ansible_ssh_user, ...) are read
#     under the names drove keeps them by;
#   - the hosts each pattern selects, in order (a pattern that selects
#     none is an error in drove, an empty list in Ansible: both pass).  Where Ansible's own order
#     changes with Python's hash seed (group walks below the first level go
#     through a set), the pattern is run under two seeds and compared as a
#     set when the two disagree.
# Values are compared with their types (drove's JSON against Ansible's):
# an integer, a float, a boolean, a null, a text, a list or a mapping
# matches only a value of the same type and value, all the way down.
# drove runs under LC_ALL=C (its regexes and globs must still match
# characters, not bytes), Ansible under C.UTF-8, which it requires.
# Prints one line per difference and exits 1 when there is any.
import json
import os
import subprocess
import sys
import tempfile


ALIASES = {
    "ansible_ssh_host": "ansible_host",
    "ansible_ssh_port": "ansible_port",
    "ansible_ssh_user": "ansible_user",
    "ansible_private_key_file": "ansible_ssh_private_key_file",
    "ansible_ssh_pass": "ansible_password",
}
DEFAULT_USER = "oracle-default-user"

home = tempfile.mkdtemp(prefix="drove-oracle-")
env = dict(os.environ, HOME=home, ANSIBLE_HOME=home, USER=DEFAULT_USER,
           DROVE_HOME=home, ANSIBLE_LOCALHOST_WARNING="false",
           ANSIBLE_NOCOLOR="1")
diffs = []


def run(argv, seed="0"):
    """The stdout of argv; stderr is passed on."""
    e = dict(env, PYTHONHASHSEED=seed,
             LC_ALL="C" if argv[0] != "ansible" and
             not argv[0].startswith("ansible-") else "C.UTF-8")
    p = subprocess.run(argv, env=e, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, encoding="utf-8")
    if p.returncode != 0:
        return None, p.stderr.strip()
    return p.stdout, p.stderr


def ansible_hosts(inv, pattern, seed):
    """The hosts `ansible PATTERN --list-hosts` gives, or an error."""
    out, err = run(["ansible", "-i", inv, pattern, "--list-hosts"], seed)
    if out is None:
        return "error: " + err
    lines = out.splitlines()
    if not lines or not lines[0].strip().startswith("hosts ("):
        return "error: " + out
    return [l.strip() for l in lines[1:]]


def same_value(a, d):
    """Whether drove's value d is Ansible's value a, types included."""
    if type(a) is not type(d):
        return False
    if isinstance(a, list):
        return len(a) == len(d) and all(map(same_value, a, d))
    if isinstance(a, dict):
        return a.keys() == d.keys() and all(same_value(a[k], d[k])
                                            for k in a)
    if isinstance(a, float) and a != a:
        return d != d
    return a == d


def main():
    drove, inv = sys.argv[1], sys.argv[2]
    patterns = sys.argv[3:]
    out, err = run(["ansible-inventory", "-i", inv, "--list"])
    if out is None:
        print("ansible-inventory failed: " + err)
        return 1
    ans = json.loads(out)
    out, err = run([drove, "inventory", "groups", "--json", "-i", inv])
    if out is None:
        print("drove inventory groups failed: " + err)
        return 1
    dgroups = json.loads(out)
    agroups = {k: v for k, v in ans.items() if k != "_meta"}
    for g in sorted(set(agroups) | set(dgroups)):
        a = agroups.get(g, {})
        d = dgroups.get(g, {})
        for key in ("hosts", "children"):
            if a.get(key, []) != d.get(key, []):
                diffs.append("group %s %s: ansible %s, drove %s"
                             % (g, key, a.get(key, []), d.get(key, [])))
    out, err = run([drove, "inventory", "list", "--json", "-i", inv])
    if out is None:
        print("drove inventory list failed: " + err)
        return 1
    dvars = {}
    for line in out.splitlines():
        o = json.loads(line)
        dvars[o["host"]] = o["vars"]
    # ansible-inventory leaves out the hostvars of hosts without vars.
    avars = dict(ans["_meta"]["hostvars"])
    for g in agroups.values():
        for h in g.get("hosts", []):
            avars.setdefault(h, {})
    for h in sorted(set(avars) | set(dvars)):
        if h not in dvars or h not in avars:
            diffs.append("host %s: only in %s"
                         % (h, "ansible" if h in avars else "drove"))
            continue
        a = {ALIASES.get(k, k): v for k, v in avars[h].items()}
        d = dict(dvars[h])
        if "ansible_port" not in a and d.get("ansible_port") == 22:
            del d["ansible_port"]
        if "ansible_user" not in a and d.get("ansible_user") == DEFAULT_USER:
            del d["ansible_user"]
        for k in sorted(set(a) | set(d)):
            if k not in a or not same_value(a[k], d.get(k)):
                diffs.append("host %s var %s: ansible %r, drove %r"
                             % (h, k, a.get(k, "(unset)"),
                                d.get(k, "(unset)")))
    for p in patterns:
        a = ansible_hosts(inv, p, "0")
        out, err = run([drove, "inventory", "list", "-i", inv, p])
        d = out.splitlines() if out is not None else "error: " + err
        # drove refuses a pattern that selects nothing; Ansible lists none.
        if a == [] and isinstance(d, str):
            continue
        if isinstance(a, str) or isinstance(d, str):
            if isinstance(a, str) != isinstance(d, str):
                diffs.append("pattern %s: ansible %s, drove %s"
                             % (p, a, d))
            continue
        if a == d:
            continue
        a1 = ansible_hosts(inv, p, "1")
        if a1 != a and sorted(a) == sorted(d):
            continue
        diffs.append("pattern %s: ansible %s, drove %s" % (p, a, d))
    for line in diffs:
        print(line)
    print("%s: %d groups, %d hosts, %d patterns, %d differences"
          % (inv, len(agroups), len(avars), len(patterns), len(diffs)))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
