#!/usr/bin/env python3
"""Receive syslog datagrams on a Unix socket and append each to a file, one per line.

    syslog_capture.py SOCKET OUTFILE

Run inside a private mount namespace whose /dev is an overlay, with SOCKET = /dev/log, so the
host's /dev/log (or its absence) is untouched. Prints "ready" once bound; stops on SIGTERM."""
import os, signal, socket, sys

sock_path, out_path = sys.argv[1], sys.argv[2]
try:
    os.unlink(sock_path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
os.chmod(sock_path, 0o666)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print("ready", flush=True)
with open(out_path, "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536).replace(b"\n", b" ") + b"\n")
