"""JFR plumbing shared by the allocation benches (http-alloc.sh, task-alloc.sh, echo-cost.sh).

  python3 bench/jfr_alloc.py settings BASE.jfc OUT.jfc
      writes a copy of a JDK settings file whose per-thread allocation counters
      (jdk.ThreadAllocationStatistics) are sampled every second, so a measured window has counters at both ends;
  from jfr_alloc import recording, ts
      recording(file, kind, depth): the events of one kind in a .jfr file (via the JDK's `jfr print --json`);
      ts(text): an event's ISO time as epoch seconds.
"""
import json
import re
import subprocess
import sys
from datetime import datetime


def settings(base, out):
    s = open(base).read()
    i = s.index('<event name="jdk.ThreadAllocationStatistics">')
    j = s.index('</event>', i)
    s = s[:i] + re.sub(r'<setting name="period">[^<]*</setting>', '<setting name="period">1 s</setting>', s[i:j]) + s[j:]
    open(out, 'w').write(s)


def recording(path, kind, depth=64):
    text = subprocess.run(['jfr', 'print', '--json', '--stack-depth', str(depth), '--events', kind, path],
                          capture_output=True, text=True).stdout
    return json.loads(text)['recording']['events']


def ts(s):
    return datetime.fromisoformat(s.replace('Z', '+00:00')).timestamp()


if __name__ == '__main__' and sys.argv[1:2] == ['settings']:
    settings(sys.argv[2], sys.argv[3])
