#!/usr/bin/env python3
"""Validate a BagIt bag against RFC 8493 (BagIt 1.0), independently of antq-ledger's code.

Usage: bagit_validate.py BAGDIR
  exit 0: prints "valid: N payload files, M tag files" (a complete and valid bag, RFC 8493 section 3)
  exit 1: prints one "invalid: <what>, <file>" line per violation, on stdout
  exit 2: usage error (not exactly one argument, or BAGDIR is not a directory), message on stderr
Remarks that do not make a bag invalid (a legacy algorithm, a SHOULD not followed) go to stderr as "note: ...".

Written from the text of RFC 8493; "section" below means a section of it. Where it is stricter than the RFC it
says so ("profile"): tag files must be UTF-8, BagIt-Version must be 1.0, unverifiable algorithms make a bag
invalid, and symbolic links are refused. Python 3 standard library only.
"""
import datetime
import hashlib
import os
import re
import sys

# Section 2.4: tools MUST support sha256 and sha512; MD5 and SHA-1 are allowed for backwards compatibility.
HEX_DIGITS = {"sha256": 64, "sha512": 128, "md5": 32, "sha1": 40}
LEGACY = {"md5", "sha1"}
EOL = re.compile(r"\r\n|\r|\n")  # section 2.3: lines end with LF, CR or CRLF


def show(path):
    """A path on one line: CR, LF and % percent-encoded as in a manifest (section 2.1.3)."""
    text = path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.encode("utf-8", "backslashreplace").decode("utf-8")  # undecodable file names stay printable


class Report:
    def __init__(self):
        self.errors, self.notes = [], []

    def invalid(self, what, path):
        self.errors.append(f"invalid: {what}, {show(path)}")

    def note(self, text):
        self.notes.append(f"note: {text}")


def inventory(root, rep):
    """Every regular file of the bag ('/'-separated path -> size) and every directory. Symbolic links are reported
    and never followed, nor is anything else not a regular file read: nothing outside the bag is accessed
    (section 5.1). BAGDIR itself is taken as given, even if it is a symbolic link."""
    files, dirs, pending = {}, set(), [""]
    while pending:
        rel = pending.pop()
        try:
            with os.scandir(os.path.join(root, rel)) as entries:
                for e in sorted(entries, key=lambda e: e.name):
                    path = f"{rel}/{e.name}" if rel else e.name
                    if e.is_symlink():
                        rep.invalid("symbolic link refused, the validator reads nothing it could lead out of the "
                                    "bag (profile; section 5.1)", path)
                    elif e.is_dir(follow_symlinks=False):
                        dirs.add(path)
                        pending.append(path)
                    elif e.is_file(follow_symlinks=False):
                        files[path] = e.stat(follow_symlinks=False).st_size
                    else:
                        rep.invalid("not a regular file (device, fifo or socket)", path)
        except OSError as err:
            rep.invalid(f"cannot read directory ({err.strerror})", rel or ".")
    return files, dirs


def read_lines(root, name, rep):
    """The lines of a text tag file (section 2.3), or None when it cannot be read as UTF-8 text."""
    try:
        with open(os.path.join(root, name), "rb", opener=nofollow) as f:
            data = f.read()
    except OSError as err:
        rep.invalid(f"cannot read ({err.strerror})", name)
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        rep.invalid("begins with a byte-order mark, not allowed in UTF-8 tag files (sections 2.1.1, 2.3)", name)
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        rep.invalid(f"not UTF-8 at byte {err.start} (profile; sections 2.1.1, 2.3)", name)
        return None
    lines = EOL.split(text)
    if lines[-1] == "":  # the last line ended with a line break (RECOMMENDED), or the file is empty
        lines.pop()
    return lines


def nofollow(path, flags):
    return os.open(path, flags | os.O_NOFOLLOW)


def decode_path(raw):
    """A manifest or fetch.txt filepath with its percent-encoding undone: only CR, LF and % are encoded, as
    %0D, %0A and %25 (section 2.1.3). None when a % is not part of one of those."""
    if re.search(r"%(?!0[dDaA]|25)", raw):
        return None
    return re.sub(r"%(0[dDaA]|25)", lambda m: {"0d": "\r", "0a": "\n", "25": "%"}[m.group(1).lower()], raw)


def unsafe(path):
    """Why a listed path could name something outside the bag or not a file by its one name (section 5.1), or
    None. Paths are relative to the base directory with '/' separators (section 2.1.3)."""
    parts = path.split("/")
    if path.startswith("/"):
        return "absolute path"
    if ".." in parts:
        return "'..' path component"
    if "" in parts or "." in parts:
        return "empty or '.' path component"
    if parts[0].startswith("~"):
        return "'~' home directory reference"
    if "\0" in path:
        return "NUL character"
    return None


def find_manifests(prefix, files, rep):
    """{algorithm: file name} of the prefix-<algorithm>.txt files of the base directory (sections 2.1.3, 2.2.1);
    the algorithm's name must be normalized: lowercase letters and digits only (section 2.4)."""
    found = {}
    for name in sorted(files):
        m = re.fullmatch(re.escape(prefix) + r"-([^/]*)\.txt", name, re.DOTALL)
        if m and re.fullmatch(r"[a-z0-9]+", m.group(1)):
            found[m.group(1)] = name
        elif m:
            rep.invalid("algorithm name not normalized to lowercase letters and digits (section 2.4)", name)
    return found


def read_manifest(root, name, alg, rep):
    """{path: checksum} of a payload or tag manifest, each line "<checksum> <filepath>" (section 2.1.3)."""
    entries = {}
    digits = HEX_DIGITS.get(alg)
    for n, line in enumerate(read_lines(root, name, rep) or [], 1):
        m = re.fullmatch(r"([0-9A-Fa-f]+)[ \t]+(.+)", line)
        if not m:
            rep.invalid(f"line {n} is not '<checksum> <filepath>' (section 2.1.3)", name)
            continue
        checksum, path = m.group(1).lower(), decode_path(m.group(2))
        if path is None:
            rep.invalid(f"{name} line {n}: '%' not percent-encoded as %25 (section 2.1.3)", m.group(2))
        elif unsafe(path):
            rep.invalid(f"{name} line {n}: {unsafe(path)}, outside the bag (section 5.1)", path)
        elif path in entries:
            rep.invalid(f"{name} lists the file twice (section 2.1.3: exactly once)", path)
        elif digits and len(checksum) != digits:
            rep.invalid(f"{name} line {n}: {alg} checksum of {len(checksum)} hex digits, not {digits}", path)
        else:
            entries[path] = checksum
    return entries


def digests(root, path, algs):
    """{algorithm: hex digest} of a file, read once."""
    hashes = {alg: hashlib.new(alg) for alg in algs}
    with open(os.path.join(root, path), "rb", opener=nofollow) as f:
        while chunk := f.read(1 << 20):
            for h in hashes.values():
                h.update(chunk)
    return {alg: h.hexdigest() for alg, h in hashes.items()}


def check_declaration(root, files, rep):
    """bagit.txt: exactly two lines, in this order (section 2.1.1)."""
    if "bagit.txt" not in files:
        rep.invalid("bag declaration missing (section 2.1.1)", "bagit.txt")
        return
    lines = read_lines(root, "bagit.txt", rep)
    if lines is None:
        return
    if len(lines) != 2:
        rep.invalid(f"{len(lines)} lines, the bag declaration has exactly two (section 2.1.1)", "bagit.txt")
    version = re.fullmatch(r"BagIt-Version: ([0-9]+\.[0-9]+)", lines[0]) if lines else None
    if not version:
        rep.invalid("line 1 is not 'BagIt-Version: M.N' (section 2.1.1)", "bagit.txt")
    elif version.group(1) != "1.0":
        rep.invalid(f"BagIt-Version {version.group(1)}: this validator checks BagIt 1.0 only (profile; "
                    "section 3)", "bagit.txt")
    if len(lines) < 2 or not re.fullmatch(r"Tag-File-Character-Encoding: UTF-8", lines[1], re.IGNORECASE):
        rep.invalid("line 2 is not 'Tag-File-Character-Encoding: UTF-8' (profile: UTF-8 only; section 2.1.1)",
                    "bagit.txt")


def check_bag_info(root, payload, rep):
    """bag-info.txt: "Label: Value" lines, continued by lines that begin with whitespace (section 2.2.2)."""
    name, elements = "bag-info.txt", []
    for n, line in enumerate(read_lines(root, name, rep) or [], 1):
        m = re.fullmatch(r"([^:]+):[ \t](.*)", line)
        if line[:1] in (" ", "\t") and elements:
            elements[-1][1] += "\n" + line.lstrip(" \t")  # the indentation is not part of the value
        elif not m or m.group(1) != m.group(1).strip(" \t"):
            rep.invalid(f"line {n} is not 'Label: Value' nor a continuation line (section 2.2.2)", name)
        else:
            elements.append([m.group(1), m.group(2)])
    values = {}
    for label, value in elements:  # reserved element names are case-insensitive
        values.setdefault(label.lower(), []).append(value)
    oxum = values.get("payload-oxum", [])
    if len(oxum) > 1:
        rep.invalid("Payload-Oxum present more than once (section 2.2.2)", name)
    for value in oxum:
        m = re.fullmatch(r"([0-9]+)\.([0-9]+)", value)
        octets, streams = sum(payload.values()), len(payload)
        if not m:
            rep.invalid(f"Payload-Oxum '{value}' is not OctetCount.StreamCount (section 2.2.2)", name)
        elif (int(m.group(1)), int(m.group(2))) != (octets, streams):
            rep.invalid(f"Payload-Oxum {value} but the payload is {octets}.{streams} (section 2.2.2)", name)
    for value in values.get("bagging-date", []):
        try:  # the pattern first: fromisoformat alone also takes 20080115 or 2008-W03-2
            real = bool(re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) and datetime.date.fromisoformat(value))
        except ValueError:
            real = False
        if not real:
            rep.invalid(f"Bagging-Date '{value}' is not a date YYYY-MM-DD (section 2.2.2)", name)
    for value in values.get("bag-size", []):
        if not re.fullmatch(r"([0-9]+(\.[0-9]*)?|\.[0-9]+)[ \t]*[A-Za-z]+", value):
            rep.invalid(f"Bag-Size '{value}' is not a size and unit such as '42.6 GB' (section 2.2.2)", name)
    for label in ("bagging-date", "bag-size", "bag-group-identifier", "bag-count"):
        if len(values.get(label, [])) > 1:
            rep.note(f"{name}: {label} repeated, which it SHOULD NOT be (section 2.2.2)")


def check_fetch(root, payload, manifests, rep):
    """fetch.txt: "<url> <length> <filepath>" lines; the bag is complete only once every file is there (2.2.3)."""
    name, listed = "fetch.txt", 0
    for n, line in enumerate(read_lines(root, name, rep) or [], 1):
        m = re.fullmatch(r"(\S+)[ \t]+([0-9]+|-)[ \t]+(.+)", line)
        path = decode_path(m.group(3)) if m else None
        if not m or path is None or unsafe(path):
            rep.invalid(f"line {n} is not '<url> <length> <filepath>' inside the bag (sections 2.2.3, 5.1)", name)
            continue
        listed += 1
        if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", m.group(1)):
            rep.invalid(f"{name} line {n}: url is not an absolute URI (section 2.2.3)", path)
        if not path.startswith("data/"):
            rep.invalid(f"{name} lists a tag file (section 2.2.3)", path)
            continue
        for manifest, entries in manifests.items():
            if path not in entries:
                rep.invalid(f"{name} lists a file {manifest} does not (section 2.2.3)", path)
        if path not in payload:
            rep.invalid(f"{name} lists a file not fetched yet: the bag is incomplete (sections 2.2.3, 3)", path)
        elif m.group(2) != "-" and int(m.group(2)) != payload[path]:
            rep.note(f"{name} gives {show(path)} {m.group(2)} octets, it has {payload[path]} (section 5.3)")
    rep.note(f"{name} present, {listed} files listed; any not present is reported invalid (section 2.2.3)")


def validate(root):
    rep = Report()
    files, dirs = inventory(root, rep)
    payload = {p: size for p, size in files.items() if p.startswith("data/")}
    tags = {p for p in files if not p.startswith("data/")}
    check_declaration(root, files, rep)
    if "data" not in dirs:  # section 2.1.2 (a symbolic link named data is reported above and is not one)
        rep.invalid("payload directory missing (section 2.1.2)", "data/")
    for d in sorted(dirs):
        if d.startswith("data/") and not any(p.startswith(d + "/") for p in payload):
            rep.note(f"empty directory {show(d)}: manifests list files only, it is not in the bag (section 2.1.3)")

    manifests = {name: (alg, read_manifest(root, name, alg, rep))
                 for alg, name in find_manifests("manifest", files, rep).items()}
    tag_manifests = {name: (alg, read_manifest(root, name, alg, rep))
                     for alg, name in find_manifests("tagmanifest", files, rep).items()}
    if not manifests:
        rep.invalid("no payload manifest (section 2.1.3)", "manifest-<algorithm>.txt")
    wanted = {}  # path -> {algorithm: (manifest, checksum)}, to read each file once
    for name, (alg, entries) in sorted(manifests.items()):
        for path, checksum in sorted(entries.items()):
            if not path.startswith("data/"):
                rep.invalid(f"{name} lists a file outside the payload directory (section 2.1.3)", path)
            elif path in dirs:
                rep.invalid(f"{name} lists a directory (section 2.1.3)", path)
            elif path not in payload:
                rep.invalid(f"listed in {name} but missing (section 3)", path)
            else:
                wanted.setdefault(path, {})[alg] = (name, checksum)
        for path in sorted(set(payload) - set(entries)):
            rep.invalid(f"payload file not listed in {name} (sections 2.1.3, 3)", path)
    for name, (alg, entries) in sorted(tag_manifests.items()):
        for path, checksum in sorted(entries.items()):
            if path.startswith("data/"):
                rep.invalid(f"{name} lists a payload file (section 2.2.1)", path)
            elif path in tag_manifests:
                rep.invalid(f"{name} lists a tag manifest (section 2.2.1)", path)
            elif path in dirs:
                rep.invalid(f"{name} lists a directory (section 2.1.3)", path)
            elif path not in tags:
                rep.invalid(f"listed in {name} but missing (section 3)", path)
            else:
                wanted.setdefault(path, {})[alg] = (name, checksum)
        for manifest in sorted(set(manifests) - set(entries)):
            rep.invalid(f"payload manifest not listed in {name} (section 2.2.1)", manifest)
        unlisted = sorted(tags - set(entries) - set(tag_manifests) - set(manifests))
        if unlisted:
            rep.note(f"{name} does not list {', '.join(map(show, unlisted))}; it SHOULD (section 2.2.1)")
    for alg, name in sorted((alg, name) for name, (alg, _) in {**manifests, **tag_manifests}.items()):
        if alg in LEGACY:
            rep.note(f"{name}: {alg} is allowed for backwards compatibility only (section 2.4)")
        elif alg not in HEX_DIGITS:
            rep.invalid(f"algorithm {alg} not supported, its checksums cannot be verified (profile; "
                        "sections 2.4, 3)", name)

    for path, expected in sorted(wanted.items()):  # section 3: every checksum of every manifest verified
        algs = [alg for alg in expected if alg in HEX_DIGITS]
        if not algs:  # only unsupported algorithms, reported above
            continue
        try:
            actual = digests(root, path, algs)
        except OSError as err:
            rep.invalid(f"cannot read ({err.strerror})", path)
            continue
        for alg in algs:
            if actual[alg] != expected[alg][1]:
                rep.invalid(f"checksum mismatch with {expected[alg][0]}", path)

    if "bag-info.txt" in files:
        check_bag_info(root, payload, rep)
    if "fetch.txt" in files:
        check_fetch(root, payload, {name: entries for name, (_, entries) in manifests.items()}, rep)
    return rep, len(payload), len(tags)


def main(argv):
    if len(argv) == 2 and argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if len(argv) != 2:
        print("usage: bagit_validate.py BAGDIR", file=sys.stderr)
        return 2
    if not os.path.isdir(argv[1]):
        print(f"bagit_validate.py: {argv[1]}: not a directory", file=sys.stderr)
        return 2
    rep, n_payload, n_tags = validate(argv[1])
    for line in rep.notes:
        print(line, file=sys.stderr)
    for line in rep.errors:
        print(line)
    if rep.errors:
        return 1
    print(f"valid: {n_payload} payload files, {n_tags} tag files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
