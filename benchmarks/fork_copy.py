"""How much of an in-memory pyoxigraph copy a forked worker shares: load a folder of Turtle into a process of its
own, fork three workers from it (the fd of each worker's pipe passed over the control pipe), run an ASK, a full
scan and a small SELECT, and print each worker's ``smaps_rollup`` (Private_Dirty is what it no longer shares).

Run on demand: ``python benchmarks/fork_copy.py DIR`` (e.g. the output of ``graphapp generate --triples 1000000``).
"""

import glob
import multiprocessing as mp
import os
import signal
import sys
import time
from multiprocessing import reduction
from multiprocessing.connection import Connection

import pyoxigraph as ox


def zygote(control, files):
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    store = ox.Store()
    t = time.time()
    for f in files:
        store.bulk_load(path=f, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("http://g/" + os.path.basename(f)))
    control.send(("ready", len(store), time.time() - t))
    while True:
        cmd = control.recv()
        if cmd[0] == "fork":
            fd = reduction.recv_handle(control)
            pid = os.fork()
            if pid == 0:
                control.close()
                conn = Connection(fd)
                while True:
                    try:
                        q = conn.recv()
                    except EOFError:
                        os._exit(0)
                    t = time.time()
                    r = store.query(q, use_default_graph_as_union=True)
                    rows = list(r) if isinstance(r, ox.QuerySolutions) else r
                    n = len(rows) if isinstance(rows, list) else rows
                    conn.send((str(n), time.time() - t))
            os.close(fd)
            control.send(("forked", pid))
        elif cmd[0] == "stop":
            return


def dirty(pid):
    with open(f"/proc/{pid}/smaps_rollup") as fh:
        for line in fh:
            if line.startswith(("Private_Dirty", "Rss", "Pss:", "Shared")):
                print(pid, line.strip())


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    a, b = ctx.Pipe()
    files = sorted(glob.glob(sys.argv[1] + "/*.ttl"))
    p = ctx.Process(target=zygote, args=(b, files))
    p.start()
    print(a.recv())
    dirty(p.pid)
    workers = []
    for _ in range(3):
        t = time.time()
        x, y = ctx.Pipe()
        a.send(("fork",))
        reduction.send_handle(a, y.fileno(), p.pid)
        y.close()
        kind, pid = a.recv()
        print("fork ms", (time.time() - t) * 1000, pid)
        workers.append((x, pid))
    for q in ["ASK {}", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "SELECT ?s WHERE { ?s a ?c } LIMIT 10"]:
        x, pid = workers[0]
        x.send(q)
        print(q[:30], x.recv())
        dirty(pid)
    x, pid = workers[1]
    x.send("ASK {}")
    print(x.recv())
    dirty(pid)
    os.kill(workers[2][1], signal.SIGKILL)
    time.sleep(0.2)
    print("killed worker still there?", os.path.exists(f"/proc/{workers[2][1]}/status"))
    a.send(("stop",))
    p.join()
