"""CPU seconds used so far by the API and by PostgreSQL, from /proc (scripts/bench.sh).

    python3 scripts/bench/cpu.py API_PID          # prints: api_seconds postgres_seconds

PostgreSQL's figure is every live postgres process's user + system time plus what the
postmaster has collected from its children that exited (a benchmark's connections end
with it). Two readings, before and after a run, give what the run cost each.
"""

import os
import sys

TICKS = os.sysconf("SC_CLK_TCK")


def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After the command name: state is field 3; utime 14, stime 15, cutime 16, cstime 17.
    utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
    return utime, stime, cutime, cstime


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def ppid(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def postgres_seconds():
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or comm(entry) != "postgres":
            continue
        try:
            utime, stime, cutime, cstime = stat(entry)
            total += utime + stime
            # The postmaster (its parent is not postgres) also holds its dead children's time.
            if comm(ppid(entry)) != "postgres":
                total += cutime + cstime
        except OSError:
            continue
    return total / TICKS


def main():
    api = stat(sys.argv[1])
    print(f"{(api[0] + api[1]) / TICKS:.2f} {postgres_seconds():.2f}")


if __name__ == "__main__":
    main()
