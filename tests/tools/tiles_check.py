#!/usr/bin/env python3
"""An independent check of a directory in the C2SP tlog-tiles layout (c2sp.org/tlog-tiles), as `antq export --tiles`
or `antq mirror` writes it: written from the specification and RFC 9162 alone, sharing no code with antq.

    tiles_check.py DIR

Reads the checkpoint (size, base64 root on lines 2 and 3), the entry bundles (tile/entries/..., big-endian uint16
lengths; antq/entries/..., uint32, where an entry is longer than 65535 bytes), recomputes every leaf hash, every
tile of every level and the root, and checks that DIR holds exactly the tiles and bundles of that size (every full
one, the partial ones of the right edge, nothing else under tile/ and antq/), each byte-equal to the recomputation.
Prints one line and exits 0 when it all holds; the first difference and exit 1 otherwise.
"""
import base64
import hashlib
import os
import sys


def fail(message):
    print("tiles_check: " + message)
    sys.exit(1)


def leaf_hash(entry):
    return hashlib.sha256(b"\x00" + entry).digest()


def mth(hashes):
    """RFC 9162 section 2.1.1 over already hashed leaves: split at the largest power of two below n."""
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(hashes[:k]) + mth(hashes[k:])).digest()


def index_path(n):
    groups = []
    while True:
        groups.append("%03d" % (n % 1000))
        n //= 1000
        if n == 0:
            break
    groups.reverse()
    return "/".join(["x" + g for g in groups[:-1]] + [groups[-1]])


def tile_name(prefix, n, width):
    return prefix + index_path(n) + ("" if width == 256 else ".p/%d" % width)


def main():
    top = sys.argv[1]
    lines = open(os.path.join(top, "checkpoint"), "rb").read().decode().split("\n")
    size, root = int(lines[1]), base64.b64decode(lines[2])

    expected = {}  # path -> bytes
    entries = []
    for n in range((size + 255) // 256):
        width = min(256, size - n * 256)
        short = os.path.join(top, tile_name("tile/entries/", n, width))
        long = os.path.join(top, tile_name("antq/entries/", n, width))
        path, prefix = (short, 2) if os.path.exists(short) else (long, 4)
        data = open(path, "rb").read()
        at, got = 0, []
        while at < len(data):
            length = int.from_bytes(data[at:at + prefix], "big")
            got.append(data[at + prefix:at + prefix + length])
            at += prefix + length
        if at != len(data) or len(got) != width:
            fail("%s: not %d length-prefixed entries" % (path, width))
        if prefix == 4 and all(len(e) <= 0xFFFF for e in got):
            fail("%s: the long form, though every entry fits a uint16" % path)
        expected[os.path.relpath(path, top)] = data
        entries += got

    level = [leaf_hash(e) for e in entries]
    l = 0
    while level:
        for n in range((len(level) + 255) // 256):
            chunk = level[n * 256:(n + 1) * 256]
            expected[tile_name("tile/%d/" % l, n, len(chunk))] = b"".join(chunk)
        level = [mth(level[n * 256:(n + 1) * 256]) for n in range(len(level) // 256)]
        l += 1

    computed = mth([leaf_hash(e) for e in entries]) if entries else hashlib.sha256(b"").digest()
    if computed != root:
        fail("the root of the entries is not the checkpoint's")
    found = set()
    for sub in ("tile", "antq"):
        for dirpath, _, files in os.walk(os.path.join(top, sub)):
            for f in files:
                found.add(os.path.relpath(os.path.join(dirpath, f), top))
    if found != set(expected):
        fail("tiles present but not expected: %s; expected but absent: %s" %
             (sorted(found - set(expected))[:5], sorted(set(expected) - found)[:5]))
    for path, data in expected.items():
        if open(os.path.join(top, path), "rb").read() != data:
            fail(path + ": differs from the recomputation")
    print("tiles_check: %d entries, %d tiles and bundles, root %s: as the specification lays them out"
          % (size, len(expected), base64.b64encode(root).decode()))


main()
