-- schema.sql: drove's SQLite store.  Each "version N" part moves a
-- database from user_version N-1 to N; src/store/store.c embeds this text.

-- version 1: the inventory
CREATE TABLE groups (
	id	INTEGER PRIMARY KEY,
	name	TEXT NOT NULL UNIQUE
);
CREATE TABLE group_parents (
	child	INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
	parent	INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
	UNIQUE (child, parent)
);
CREATE TABLE hosts (
	id	INTEGER PRIMARY KEY,
	name	TEXT NOT NULL UNIQUE
);
CREATE TABLE host_groups (
	host	INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
	grp	INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
	UNIQUE (host, grp)
);
CREATE INDEX host_groups_grp ON host_groups(grp);
CREATE TABLE host_vars (
	host	INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
	name	TEXT NOT NULL,
	value	TEXT NOT NULL,
	UNIQUE (host, name)
);
CREATE TABLE group_vars (
	grp	INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
	name	TEXT NOT NULL,
	value	TEXT NOT NULL,
	UNIQUE (grp, name)
);

-- version 2: the run history
CREATE TABLE runs (
	id		INTEGER PRIMARY KEY,
	started_ms	INTEGER NOT NULL,
	ended_ms	INTEGER,
	command		TEXT NOT NULL,
	pattern		TEXT NOT NULL
);
CREATE TABLE run_hosts (
	run		INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	host		TEXT NOT NULL,
	status		TEXT NOT NULL,
	exit_code	INTEGER,
	signal		TEXT,
	error		TEXT,
	elapsed_ms	INTEGER,
	stdout		BLOB,
	stderr		BLOB,
	truncated	INTEGER NOT NULL DEFAULT 0,
	UNIQUE (run, host)
);
CREATE INDEX run_hosts_host ON run_hosts(host);

-- version 3: the rest of a history record: the kind of command,
-- the local user and command line, the exit status, the output
-- cap and each host's byte counts; ended_ms is NULL until the end
ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'run';
ALTER TABLE runs ADD COLUMN user TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN line TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN exit_code INTEGER;
ALTER TABLE runs ADD COLUMN cap INTEGER NOT NULL DEFAULT 0;
ALTER TABLE run_hosts ADD COLUMN out_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE run_hosts ADD COLUMN err_bytes INTEGER NOT NULL DEFAULT 0;
CREATE INDEX runs_started ON runs(started_ms);

-- version 4: recorded shell sessions (asciicast v2 files)
CREATE TABLE sessions (
	id		INTEGER PRIMARY KEY,
	host		TEXT NOT NULL,
	user		TEXT NOT NULL,
	started_ms	INTEGER NOT NULL,
	ended_ms	INTEGER NOT NULL,
	exit_status	INTEGER NOT NULL,
	size		INTEGER NOT NULL,
	path		TEXT NOT NULL
);
CREATE INDEX sessions_host ON sessions(host);

-- version 5: each var's type, as Ansible has it: 0 text, 1 null,
-- 2 boolean, 3 integer, 4 float, 5 list or mapping (JSON text),
-- 6 vaulted (the ciphertext), 7 text tagged !unsafe
ALTER TABLE host_vars ADD COLUMN type INTEGER NOT NULL DEFAULT 0;
ALTER TABLE group_vars ADD COLUMN type INTEGER NOT NULL DEFAULT 0;
