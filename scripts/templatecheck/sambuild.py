#!/usr/bin/env python3
"""Builds the functions of SAM templates as `sam build` does, and checks the binaries.

    python3 scripts/templatecheck/sambuild.py [--in-source] [--out DIR] TEMPLATE...

The SAM CLI is not needed. For each AWS::Serverless::Function whose Metadata
says BuildMethod: makefile, this does what SAM CLI's makefile build
(aws-lambda-builders' CustomMakeWorkflow) does without a container: it
copies CodeUri to a scratch directory, leaving out .aws-sam and .git, and
runs there

    make --makefile <CodeUri>/Makefile build-<LogicalId>

with ARTIFACTS_DIR set to an empty directory; with --in-source it runs make
in CodeUri itself, as `sam build --build-in-source` does. Then it checks
ARTIFACTS_DIR/bootstrap: an ELF executable for the template's Architectures
(arm64 is AArch64, x86_64 is x86-64), built by Go with GOOS=linux,
CGO_ENABLED=0, -tags lambda.norpc and -trimpath, and stripped of its symbol
table and DWARF (-ldflags "-s -w", which Go does not record in the binary
when -trimpath is set). It prints the size of each binary and exits 1 if
a build failed or a binary is not what the template deploys.
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

ELF_MACHINES = {"arm64": 0xB7, "x86_64": 0x3E}  # e_machine: EM_AARCH64, EM_X86_64
GOARCH = {"arm64": "arm64", "x86_64": "amd64"}
EXCLUDED = (".aws-sam", ".git")  # what CustomMakeWorkflow leaves out of the copy


def load(path: Path) -> dict:
    from cfnlint.decode import decode

    tpl, matches = decode(str(path))
    if matches or tpl is None:
        raise SystemExit(f"{path}: cannot read: " + "; ".join(m.message for m in matches))
    return tpl


def functions(tpl: dict):
    """(logical id, CodeUri, architecture) of each function built by a Makefile."""
    fn_globals = (tpl.get("Globals") or {}).get("Function") or {}
    for fid, r in (tpl.get("Resources") or {}).items():
        if not isinstance(r, dict) or r.get("Type") != "AWS::Serverless::Function":
            continue
        if (r.get("Metadata") or {}).get("BuildMethod") != "makefile":
            continue
        props = {**fn_globals, **(r.get("Properties") or {})}
        arch = (props.get("Architectures") or ["x86_64"])[0]
        yield str(fid), str(props.get("CodeUri")), str(arch)


def build(template: Path, fid: str, code_uri: str, artifacts: Path, in_source: bool) -> None:
    code = (template.parent / code_uri).resolve()
    makefile = code / "Makefile"
    artifacts.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ARTIFACTS_DIR": str(artifacts)}
    with tempfile.TemporaryDirectory(prefix="sambuild-scratch-") as scratch:
        cwd = code
        if not in_source:
            cwd = Path(scratch) / "source"
            shutil.copytree(code, cwd, ignore=shutil.ignore_patterns(*EXCLUDED))
        cmd = ["make", "--makefile", str(makefile), f"build-{fid}"]
        print(f"   ({cwd}) {' '.join(cmd)}", flush=True)
        subprocess.run(cmd, cwd=cwd, env=env, check=True)


def elf(path: Path) -> tuple[int, set[str], bool]:
    """The ELF machine, section names, and whether it asks for an interpreter."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise ValueError("not a 64-bit ELF file")
    e = "<" if data[5] == 1 else ">"
    machine = struct.unpack_from(e + "H", data, 18)[0]
    phoff, shoff = struct.unpack_from(e + "QQ", data, 0x20)
    phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(e + "HHHHH", data, 0x36)
    interp = any(struct.unpack_from(e + "I", data, phoff + i * phentsize)[0] == 3 for i in range(phnum))  # PT_INTERP
    strtab_off = struct.unpack_from(e + "Q", data, shoff + shstrndx * shentsize + 0x18)[0]
    names = set()
    for i in range(shnum):
        name = struct.unpack_from(e + "I", data, shoff + i * shentsize)[0]
        end = data.index(b"\0", strtab_off + name)
        names.add(data[strtab_off + name:end].decode())
    return machine, names, interp


def go_settings(path: Path) -> dict[str, str]:
    out = subprocess.run(["go", "version", "-m", str(path)], check=True, capture_output=True, text=True).stdout
    settings = {}
    for line in out.splitlines():
        fields = line.strip().split("\t")
        if len(fields) == 2 and fields[0] == "build" and "=" in fields[1]:
            k, v = fields[1].split("=", 1)
            settings[k] = v
    return settings


def problems(binary: Path, arch: str) -> list[str]:
    if not binary.is_file():
        return ["no bootstrap in ARTIFACTS_DIR"]
    out = []
    machine, sections, interp = elf(binary)
    if machine != ELF_MACHINES.get(arch):
        out.append(f"ELF machine {machine:#x}, want {ELF_MACHINES.get(arch, 0):#x} for {arch}")
    if interp:
        out.append("dynamically linked (has an interpreter); provided.al2023 wants a static binary")
    if ".symtab" in sections:
        out.append("has a symbol table: build with -ldflags \"-s -w\"")
    if any(s.startswith((".debug_", ".zdebug_")) for s in sections):
        out.append("has DWARF: build with -ldflags \"-s -w\"")
    s = go_settings(binary)
    want = {"GOOS": "linux", "GOARCH": GOARCH.get(arch, arch), "CGO_ENABLED": "0", "-trimpath": "true"}
    for k, v in want.items():
        if s.get(k) != v:
            out.append(f"built with {k}={s.get(k)}, want {v}")
    if "lambda.norpc" not in s.get("-tags", "").split(","):
        out.append(f"built with -tags {s.get('-tags', '(none)')}, want lambda.norpc")
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--out", help="keep the artifacts under DIR/<example>/<LogicalId> (default: a temporary directory)")
    ap.add_argument("--in-source", action="store_true", help="run make in CodeUri, as sam build --build-in-source")
    ap.add_argument("templates", nargs="+")
    args = ap.parse_args(argv)

    failed = 0
    with tempfile.TemporaryDirectory(prefix="sambuild-") as tmp:
        out = Path(args.out) if args.out else Path(tmp)
        for t in map(Path, args.templates):
            for fid, code_uri, arch in functions(load(t)):
                name = f"{t.parent.name}/{fid}"
                artifacts = (out / t.parent.name / fid).resolve()
                if artifacts.exists():
                    shutil.rmtree(artifacts)
                print(f"== {t} {fid} ({arch})", flush=True)
                try:
                    build(t, fid, code_uri, artifacts, args.in_source)
                    found = problems(artifacts / "bootstrap", arch)
                except (subprocess.CalledProcessError, ValueError, OSError) as e:
                    found = [f"build failed: {e}"]
                if found:
                    failed += 1
                    for p in found:
                        print(f"sambuild: {name}: {p}", file=sys.stderr)
                    continue
                size = (artifacts / "bootstrap").stat().st_size
                print(f"   {name}: bootstrap {size:,} bytes ({size / 2**20:.2f} MiB)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
