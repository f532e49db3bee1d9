# tests/sandbox/pg-env.sh - a throwaway PostgreSQL cluster for a test, sourced
# after tests/lib.sh.
#
#   pg_env            initdb a cluster in $T/pg (trust auth, no TCP: a Unix
#                     socket in $T/pgsock), start it, create the database
#                     "erpipe", export PGHOST, PGPORT, PGUSER and PGDATABASE
#                     for libpq (load pg, psql), and stop it at exit
#   pg_stop_kill      kill -9 the postmaster (a crash), pg_start again
#   q SQL             psql -qAtX -c SQL: one value a line, fields |-separated
#
# Debian's postgresql package (make deps) puts the server in pg_config's
# bindir.  initdb refuses root: as root the cluster runs as the user
# postgres, which the package creates.  No test without the package: the
# file says "1..0 # SKIP" only when pg_config has no initdb beside it.
PG_BIN=$(pg_config --bindir 2>/dev/null || true)

pg_as() { # run a server command as the cluster's owner
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	pg_as "$PG_BIN/pg_ctl" -D "$T/pg" -l "$T/pgsock/server.log" -w -t 60 start > /dev/null
}

pg_stop() {
	[ -d "$T/pg" ] && pg_as "$PG_BIN/pg_ctl" -D "$T/pg" -m immediate -w stop > /dev/null 2>&1
	return 0
}

pg_env() {
	[ -x "$PG_BIN/initdb" ] || skip_all "no PostgreSQL server (make deps installs it)"
	mkdir -p "$T/pg" "$T/pgsock"
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$T/pg" "$T/pgsock"
		chmod 755 "$T"
		PGUSER=postgres
	else
		PGUSER=$(id -un)
	fi
	pg_as "$PG_BIN/initdb" -D "$T/pg" -A trust -U "$PGUSER" -E UTF8 --locale=C.UTF-8 \
		> "$T/initdb.log" 2>&1 || { cat "$T/initdb.log" >&2; exit 1; }
	# a port of its own (the socket file's name), no TCP at all
	PGPORT=$((20000 + $$ % 20000))
	cat >> "$T/pg/postgresql.conf" <<-EOF
		listen_addresses = ''
		unix_socket_directories = '$T/pgsock'
		port = $PGPORT
		fsync = on
		shared_buffers = 32MB
	EOF
	at_exit pg_stop
	pg_start || { cat "$T/pgsock/server.log" >&2; exit 1; }
	PGHOST=$T/pgsock
	PGDATABASE=erpipe
	export PGHOST PGPORT PGUSER PGDATABASE
	"$PG_BIN/createdb" erpipe
}

pg_stop_kill() {
	pid=$(head -1 "$T/pg/postmaster.pid")
	kill -9 "$pid"
	# the postmaster's children see it gone and exit; where nobody reaps
	# them (an init that does not) they stay zombies, which a new
	# postmaster would take for the old one alive: its pid file goes
	i=0
	while [ $i -lt 100 ] && ps -eo stat=,cmd= | grep -v '^Z' | grep -q '[p]ostgres:'; do
		sleep 0.1
		i=$((i + 1))
	done
	rm -f "$T/pg/postmaster.pid" "$T/pgsock/.s.PGSQL.$PGPORT" "$T/pgsock/.s.PGSQL.$PGPORT.lock"
	pg_start
}

q() { psql -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
