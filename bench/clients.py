#!/usr/bin/env python3
"""bench/clients.py MODE PORT COUNT READY_FILE: holds COUNT connections to 127.0.0.1:PORT open
until killed, for bench/run's attack rows. Writes READY_FILE once all are open.

  slowloris  each connection sends a partial request head, then one more byte every second; a
             connection the server cuts is opened again (as a real slowloris does)
  idle       each connection sends one GET /health/live, reads the answer, then stays idle
             (keep-alive)
"""
import selectors
import socket
import sys
import time

mode, port, count, ready_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
HEAD = b"GET /health/live HTTP/1.1\r\nHost: bench\r\nX-Slow: "


def connect():
    s = socket.create_connection(("127.0.0.1", port))
    s.setblocking(False)
    return s


def open_slow():
    s = connect()
    s.send(HEAD)
    return s


if mode == "slowloris":
    conns = [open_slow() for _ in range(count)]
    open(ready_file, "w").write(str(len(conns)))
    while True:
        time.sleep(1)
        for i, s in enumerate(conns):
            try:
                s.send(b"x")
            except OSError:
                s.close()
                try:
                    conns[i] = open_slow()
                except OSError:
                    pass
elif mode == "idle":
    sel = selectors.DefaultSelector()
    conns = []
    for _ in range(count):
        s = connect()
        s.send(b"GET /health/live HTTP/1.1\r\nHost: bench\r\n\r\n")
        sel.register(s, selectors.EVENT_READ)
        conns.append(s)
    waiting = len(conns)
    deadline = time.time() + 120
    while waiting and time.time() < deadline:
        for key, _ in sel.select(timeout=1):
            data = key.fileobj.recv(4096)
            sel.unregister(key.fileobj)
            waiting -= 1
            if not data:
                print("a connection closed before its answer", file=sys.stderr)
    open(ready_file, "w").write(str(len(conns) - waiting))
    while True:
        time.sleep(3600)
else:
    sys.exit(f"unknown mode {mode}")
