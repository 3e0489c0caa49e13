"""Tests of templatecheck: the examples keep every rule, and each broken
template in testdata/ breaks exactly the rules its `# want:` line names.

    python3 -m unittest discover -s scripts/templatecheck -v
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import templatecheck  # noqa: E402


def wanted(path: Path) -> set[str]:
    m = re.search(r"^# want: (.+)$", path.read_text(), re.MULTILINE)
    if m is None:
        raise AssertionError(f"{path} has no '# want: RULE…' line")
    return set(m.group(1).split())


class ExamplesTest(unittest.TestCase):
    def test_every_example_keeps_every_rule(self):
        templates = sorted(ROOT.glob("examples/*/template.yaml"))
        self.assertGreaterEqual(len(templates), 6, "got fewer example templates than the six sources and sqsdelete")
        for path in templates:
            with self.subTest(template=path.parent.name):
                got = templatecheck.check(path)
                self.assertEqual(got, [], "\n".join(map(str, got)))


class BrokenTemplatesTest(unittest.TestCase):
    def fixtures(self):
        paths = sorted((HERE / "testdata").glob("*.yaml"))
        self.assertTrue(paths, "no broken templates in testdata/")
        return paths

    def test_each_broken_template_fails_with_the_rules_it_breaks(self):
        for path in self.fixtures():
            with self.subTest(template=path.name):
                got = templatecheck.check(path)
                self.assertEqual({v.rule for v in got}, wanted(path), "\n".join(map(str, got)))

    def test_a_violation_names_the_template_and_the_rule(self):
        for path in self.fixtures():
            with self.subTest(template=path.name):
                for v in templatecheck.check(path):
                    line = str(v)
                    self.assertTrue(line.startswith(templatecheck.display_path(path) + ": "), line)
                    self.assertIn(f"[{v.rule}]", line)
                    self.assertIn(v.rule, templatecheck.RULES)

    def test_every_rule_has_a_broken_template(self):
        covered = set().union(*(wanted(p) for p in self.fixtures()))
        self.assertEqual(set(templatecheck.RULES) - covered, set(), "rules no broken template exercises")

    def test_the_command_exits_1_on_a_violation_and_0_without(self):
        broken = HERE / "testdata" / "sqs-no-tracing.yaml"
        good = ROOT / "examples" / "sqs" / "template.yaml"
        for path, want in ((broken, 1), (good, 0)):
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                got = templatecheck.main([str(path)])
            self.assertEqual(got, want, f"{path.name}: got exit {got}, want {want}; output:\n{out.getvalue()}")


if __name__ == "__main__":
    unittest.main()
