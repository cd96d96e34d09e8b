#!/usr/bin/env python3
# The capture used for storm5000-e/-f/-g (root, AF_PACKET on lo): python3 wscap.py PORT SECONDS [LIMIT]
"""Captures the server->client bytes of every TCP connection to PORT on loopback (AF_PACKET, root)
and checks that each WebSocket stream the server sent is well formed: after the 101 response,
frames with RSV 0, no mask, a known opcode, and text payloads of ASCII only (the demo sends ASCII
JSON). Keeps the first LIMIT bytes of each connection. Stops after SECONDS or on SIGTERM/SIGINT
and prints a summary, and the bytes around the first problem of up to 5 bad streams.

usage: wscap.py PORT SECONDS [LIMIT]
"""
import signal
import socket
import struct
import sys
import time

PORT = int(sys.argv[1])
SECONDS = float(sys.argv[2])
LIMIT = int(sys.argv[3]) if len(sys.argv) > 3 else 48000

conns = {}   # client port -> [isn, {offset: bytes}, upgraded_token]
results = {"ok": 0, "bad": 0, "gap": 0, "not_ws": 0, "frames": 0}
bad_samples = []
stop = False


def on_signal(signum, frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)


def assemble(segs):
    data = bytearray()
    gap = False
    for off in sorted(segs):
        seg = segs[off]
        if off > len(data):
            gap = True
            break
        if off + len(seg) > len(data):
            data += seg[len(data) - off:]
    return bytes(data), gap


def check(port, entry):
    isn, segs, token = entry
    data, gap = assemble(segs)
    i = data.find(b"HTTP/1.1 101")
    if i < 0:
        results["not_ws"] += 1
        return
    j = data.find(b"\r\n\r\n", i)
    if j < 0:
        results["not_ws"] += 1
        return
    p = j + 4
    problem = None
    frames = 0
    while p + 2 <= len(data):
        b0, b1 = data[p], data[p + 1]
        opcode = b0 & 0x0F
        n = b1 & 0x7F
        h = 2
        if b1 & 0x80 or b0 & 0x70 or opcode not in (0, 1, 2, 8, 9, 10):
            problem = "bad header %02x %02x" % (b0, b1)
            break
        if n == 126:
            if p + 4 > len(data):
                break
            n = struct.unpack(">H", data[p + 2:p + 4])[0]
            h = 4
        elif n == 127:
            if p + 10 > len(data):
                break
            n = struct.unpack(">Q", data[p + 2:p + 10])[0]
            h = 10
        payload = data[p + h:p + h + n]
        if opcode in (0, 1) and any(c >= 0x80 for c in payload):
            k = next(x for x, c in enumerate(payload) if c >= 0x80)
            problem = "non-ASCII byte %02x at %d of a %d-byte text frame" % (payload[k], k, n)
            break
        frames += 1
        p += h + n
    results["frames"] += frames
    if problem:
        results["bad"] += 1
        if len(bad_samples) < 5:
            bad_samples.append((port, token, problem, frames, data[j + 4:j + 4 + 120], data[max(0, p - 40):p + 80]))
    elif gap:
        results["gap"] += 1
    else:
        results["ok"] += 1


s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(3))
try:
    s.setsockopt(socket.SOL_SOCKET, 33, 512 * 1024 * 1024)  # SO_RCVBUFFORCE
except OSError:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024 * 1024)
import ctypes
_prog = [(0x30, 0, 0, 0xfffff004), (0x15, 10, 0, 4), (0x28, 0, 0, 12), (0x15, 0, 8, 0x800),
         (0x30, 0, 0, 23), (0x15, 0, 6, 6), (0x28, 0, 0, 20), (0x45, 4, 0, 0x1fff),
         (0xb1, 0, 0, 14), (0x48, 0, 0, 14), (0x15, 0, 1, PORT), (0x06, 0, 0, 0x40000), (0x06, 0, 0, 0)]
_buf = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *i) for i in _prog))
_fprog = struct.pack("HL", len(_prog), ctypes.addressof(_buf))
s.setsockopt(socket.SOL_SOCKET, 26, _fprog)  # SO_ATTACH_FILTER: server->client packets of PORT only, incoming copy
s.bind(("lo", 0))
s.settimeout(0.5)
end = time.time() + SECONDS
packets = 0
while not stop and time.time() < end:
    try:
        pkt, addr = s.recvfrom(70000)
    except socket.timeout:
        continue
    if addr[2] == 4:  # PACKET_OUTGOING: loopback shows each packet twice
        continue
    if len(pkt) < 14 + 20 or pkt[12:14] != b"\x08\x00":
        continue
    ip = pkt[14:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[9] != 6:
        continue
    total = struct.unpack(">H", ip[2:4])[0]
    tcp = ip[ihl:total]
    sport, dport, seq = struct.unpack(">HHI", tcp[:8])
    flags = tcp[13]
    off = (tcp[12] >> 4) * 4
    payload = tcp[off:]
    packets += 1
    if sport == PORT:
        if flags & 0x12 == 0x12:  # SYN-ACK: a new connection on this client port
            old = conns.get(dport)
            if old is not None:
                check(dport, old)
            conns[dport] = [(seq + 1) & 0xFFFFFFFF, {}, None]
            continue
        e = conns.get(dport)
        if e is None or not payload:
            continue
        rel = (seq - e[0]) & 0xFFFFFFFF
        if rel < LIMIT:
            e[1][rel] = bytes(payload[:LIMIT - rel])
    elif dport == PORT and payload[:14] == b"GET /ws?token=":
        e = conns.get(sport)
        if e is not None:
            e[2] = bytes(payload[14:40])
for port, e in conns.items():
    check(port, e)
stats = s.getsockopt(263, 6, 8)  # SOL_PACKET, PACKET_STATISTICS
got, drops = struct.unpack("II", stats)
print("# wscap port=%d: %d packets read, kernel: %d delivered, %d dropped" % (PORT, packets, got, drops))
print("streams: %d well formed, %d BAD, %d with a gap in the capture (unchecked past it), %d not WebSocket; %d frames checked"
      % (results["ok"], results["bad"], results["gap"], results["not_ws"], results["frames"]))
for port, token, problem, frames, start, around in bad_samples:
    print("BAD client port %d token %r: %s after %d good frames; first bytes after the 101: %r; around: %r"
          % (port, token, problem, frames, start, around))
sys.stdout.flush()
