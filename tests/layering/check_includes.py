"""The layering of the house (ARCHITECTURE.md), checked on includes: a file in host/<room>/
may include only its own room and the rooms that room links (cmake/rooms.cmake, written by
CMake to ROOMS_FILE), and nothing in kernels/ may include host/. The link check (each room
linked alone with -z defs) catches calls the wrong way; this catches the header-only ones.

    python3 tests/layering/check_includes.py SOURCE_DIR ROOMS_FILE
"""
import os
import re
import sys


def main(source_dir, rooms_file):
    deps = {}
    with open(rooms_file) as f:
        for line in f:
            room, _, rest = line.partition(":")
            deps[room.strip()] = {d for d in rest.strip().split(";") if d}
    if not deps:
        print(f"{rooms_file}: no rooms")
        return 1

    def reach(room, seen=None):
        seen = set() if seen is None else seen
        for d in deps.get(room, ()):
            if d not in seen:
                seen.add(d)
                reach(d, seen)
        return seen

    include = re.compile(r'#\s*include\s+"host/([a-z_]+)/')
    bad = []
    for top, allowed_of in (("host", None), ("kernels", set())):
        for dirpath, _, files in os.walk(os.path.join(source_dir, top)):
            for name in files:
                if not name.endswith((".h", ".cpp", ".cu")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, source_dir)
                if top == "host":
                    room = rel.split(os.sep)[1]
                    if room not in deps:
                        bad.append(f"{rel}: room '{room}' is not declared in cmake/rooms.cmake")
                        continue
                    allowed = reach(room) | {room}
                else:
                    allowed = allowed_of
                with open(path) as f:
                    for n, line in enumerate(f, 1):
                        m = include.match(line.strip())
                        if m and m.group(1) not in allowed:
                            bad.append(f"{rel}:{n}: includes host/{m.group(1)}/, which "
                                       f"{'kernels/' if top == 'kernels' else room} must not use")
    bad += architecture_table_differences(source_dir, deps)
    for b in bad:
        print(b)
    print(f"{len(deps)} rooms checked, {len(bad)} wrong-way includes")
    return 1 if bad else 0


def architecture_table_differences(source_dir, deps):
    """ARCHITECTURE.md's "who may use whom" table against the rooms as built."""
    row = re.compile(r"^    ([a-z]+) +→ (.*)$")
    table = {}
    with open(os.path.join(source_dir, "ARCHITECTURE.md")) as f:
        for line in f:
            m = row.match(line.rstrip())
            if m:
                uses = re.sub(r"\(.*\)", "", m.group(2))
                table[m.group(1)] = {d.strip() for d in uses.split(",") if d.strip()}
    out = []
    for room in sorted(set(deps) | set(table)):
        if table.get(room) != deps.get(room):
            out.append(f"ARCHITECTURE.md: room '{room}' uses {sorted(table.get(room, []))}, "
                       f"cmake/rooms.cmake says {sorted(deps.get(room, []))}")
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
