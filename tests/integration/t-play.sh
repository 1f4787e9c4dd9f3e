#!/bin/sh
# t-play.sh: drove play on four hosts with filesystems of their own: a
# config rendered from a template per host and a fake service "reloaded"
# when it changed, in serial [1, "50%"] batches; a second run changes
# nothing; --check changes nothing; a host var with shell syntax stays
# quoted; push with checksum, script and wait_for; the JSON events.
. tests/fixtures/lib.sh
. tests/fixtures/drove.sh

fx_sshd_private s1
fx_sshd_private s2
fx_sshd_private s3
fx_sshd_private s4
fx_known_hosts s1 s2 s3 s4 >>"$HOME/.ssh/known_hosts"
D=$FX_DATA
P=$FX_DIR/pb
mkdir -p "$P/templates" "$P/files"

# An inventory of the four servers as root; s2's motd tries an injection.
EVIL="x'; touch $D/pwned; echo '\$(id)"
{
	printf 'all:\n  vars:\n    ansible_user: root\n'
	printf '    ansible_ssh_private_key_file: %s\n' "$FX_KEY"
	printf '    ansible_host: 127.0.0.1\n    app_port: 8080\n  hosts:\n'
	for h in s1 s2 s3 s4; do
		printf '    %s:\n      ansible_port: %s\n' "$h" \
		    "$(cat "$FX_DIR/$h/port")"
		if [ $h = s2 ]; then
			printf '      motd: "%s"\n' "$EVIL"
		else
			printf '      motd: hello %s\n' "$h"
		fi
	done
} >"$FX_DIR/inv.yml"
INV="-i $FX_DIR/inv.yml"

printf 'name={{ inventory_hostname }}\nport={{ app_port }}\n' \
    >"$P/templates/app.conf.j2"
cat >"$P/deploy.yml" <<EOF
- name: deploy
  hosts: all
  serial: [1, "50%"]
  tasks:
    - name: config
      template:
        src: app.conf.j2
        dest: $D/app.conf
        mode: 0640
      register: conf
    - name: reload
      run: echo reloaded >>$D/reloads
      when: conf.changed
EOF

# The reload count of host H.
reloads()
{
	fx_in "$1" sh -c "wc -l <$D/reloads 2>/dev/null || echo 0"
}

# First run: every host's config, one reload each, in three batches.
dr $INV play "$P/deploy.yml"
fx_assert_eq 0 "$FX_RC" "deploy exit status"
fx_assert_match '^run [0-9]+ \(drove history show [0-9]+\)$' \
    "$(printf '%s\n' "$FX_ERR" | tail -1)" "the play's id, last"
fx_assert_match '^TASK \[config\] \(batch 1/3\)$' "$FX_OUT"
fx_assert_match '^TASK \[reload\] \(batch 3/3\)$' "$FX_OUT"
# batch sizes 1, 2, 1: s1 alone first, then s2 and s3, then s4
fx_assert_eq "1:s1 2:s2 2:s3 3:s4" "$(printf '%s\n' "$FX_OUT" | awk '
	/^TASK \[config\]/ { b = substr($4, 1, 1); on = 1; next }
	/^TASK/ { on = 0 }
	on { sub(/:.*/, ""); printf "%s%s:%s", sep, b, $0; sep = " " }')" \
    "hosts by batch"
for h in s1 s2 s3 s4; do
	fx_assert_eq "$(printf 'name=%s\nport=8080' $h)" \
	    "$(fx_in $h cat "$D/app.conf")" "$h config"
	fx_assert_eq 640 "$(fx_in $h stat -c %a "$D/app.conf")" "$h mode"
	fx_assert_eq 1 "$(reloads $h)" "$h reloaded once"
	fx_assert_match "^$h: ok=0 changed=2 unreachable=0 failed=0 skipped=0" \
	    "$FX_OUT" "$h recap"
	fx_assert_eq "" "$(fx_in $h find $D -name '.drove-*')" "$h temp files"
done

# Second run: nothing changes, nothing reloads.
dr $INV play "$P/deploy.yml"
fx_assert_eq 0 "$FX_RC" "second run exit status"
fx_assert_no_match ': changed' "$FX_OUT" "second run changed something"
for h in s1 s2 s3 s4; do
	fx_assert_eq 1 "$(reloads $h)" "$h reloaded again"
	fx_assert_match "^$h: ok=1 changed=0 unreachable=0 failed=0 skipped=1" \
	    "$FX_OUT" "$h second recap"
done

# --check with a new port: says the config would change, changes nothing.
dr $INV play --check -e app_port=9090 "$P/deploy.yml"
fx_assert_eq 0 "$FX_RC" "check exit status"
fx_assert_match '^s3: changed$' "$FX_OUT" "check reports the change"
fx_assert_match '^s3: skipped: check mode' "$FX_OUT" "check runs no command"
for h in s1 s2 s3 s4; do
	fx_assert_eq "$(printf 'name=%s\nport=8080' $h)" \
	    "$(fx_in $h cat "$D/app.conf")" "$h config after --check"
	fx_assert_eq 1 "$(reloads $h)" "$h reloaded by --check"
done

# -e wins over inventory vars; the change reloads every host once more.
dr $INV play -e app_port=9090 "$P/deploy.yml"
fx_assert_eq 0 "$FX_RC" "-e exit status"
fx_assert_eq "$(printf 'name=s4\nport=9090')" "$(fx_in s4 cat "$D/app.conf")"
fx_assert_eq 2 "$(reloads s4)" "s4 reloaded after the change"

# A host var with shell syntax stays one quoted word; push, script and
# wait_for; changed_when and creates keep run tasks idempotent.
printf 'payload\n' >"$P/files/blob"
printf '#!/bin/sh\necho "script as $(id -un) in $0"\n' >"$P/files/probe.sh"
cat >"$P/misc.yml" <<EOF
- hosts: all
  tasks:
    - name: motd
      run: printf '%s\n' {{ motd | quote }} >$D/motd
      changed_when: false
    - name: blob
      push:
        src: blob
        dest: $D/blob
        checksum: true
    - name: probe
      script: probe.sh
      register: probe
      changed_when: "'script as root' not in probe.stdout"
    - name: once
      run: touch $D/once
      creates: $D/once
    - name: wait
      wait_for:
        path: $D/once
        timeout: 5
    - name: sshd port
      wait_for:
        port: "{{ ansible_port }}"
        timeout: 5
EOF
dr $INV play "$P/misc.yml"
fx_assert_eq 0 "$FX_RC" "misc exit status"
fx_assert_eq "$EVIL" "$(fx_in s2 cat "$D/motd")" \
    "the injection is kept as text"
fx_assert_eq "no" "$(fx_in s2 sh -c "[ -e $D/pwned ] && echo yes || echo no")" \
    "the injection ran"
fx_assert_eq "hello s3" "$(fx_in s3 cat "$D/motd")"
fx_assert_eq payload "$(fx_in s1 cat "$D/blob")" "pushed file"
fx_assert_match '^s1: changed$' "$FX_OUT" "first push and creates"
dr $INV play -v "$P/misc.yml"
fx_assert_eq 0 "$FX_RC" "misc again exit status"
fx_assert_no_match ': changed' "$FX_OUT" "misc again changed something"
fx_assert_match 'script as root in /tmp/.drove-script' "$FX_OUT" "-v shows output"
fx_assert_match '^s4: ok=5 changed=0 unreachable=0 failed=0 skipped=1' \
    "$FX_OUT" "push, script, creates on a second run"

# --check on a changed local file: push says changed, sends nothing.
printf 'payload 2\n' >"$P/files/blob"
dr $INV play --check --limit s4 "$P/misc.yml"
fx_assert_eq 0 "$FX_RC" "push --check exit status"
fx_assert_eq "$(printf 'TASK [blob]\ns4: changed')" \
    "$(printf '%s\n' "$FX_OUT" | grep -A1 '^TASK \[blob\]')" "push --check"
fx_assert_eq payload "$(fx_in s4 cat "$D/blob")" "push --check wrote"
printf 'payload\n' >"$P/files/blob"

# pull: each host's file under DEST/HOST; --check pulls nothing.
cat >"$P/pull.yml" <<EOF
- hosts: s1:s2
  tasks:
    - name: fetch
      pull:
        src: $D/app.conf
        dest: $FX_DIR/pulled
EOF
dr $INV play --check "$P/pull.yml"
fx_assert_eq 0 "$FX_RC" "pull --check exit status"
[ -e "$FX_DIR/pulled" ] && fx_fail "--check pulled"
dr $INV play "$P/pull.yml"
fx_assert_eq 0 "$FX_RC" "pull exit status"
fx_assert_eq "$(printf 'name=s2\nport=9090')" "$(cat "$FX_DIR/pulled/s2/app.conf")" \
    "pulled file"

# --json: one object per event.
dr $INV play --json --limit s3 "$P/misc.yml"
fx_assert_eq 0 "$FX_RC" "json exit status"
fx_assert_match '^\{"event":"host","play":"all","task":"blob","host":"s3","status":"ok","rc":0' \
    "$FX_OUT" "json host event"
fx_assert_match '^\{"event":"recap","host":"s3",.*"failed":0' "$FX_OUT"
fx_assert_no_match '"host":"s1"' "$FX_OUT" "--limit"
exit 0
