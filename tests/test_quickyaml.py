"""The fast YAML reader gives exactly what PyYAML gives, or hands the file to PyYAML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from amentor_build import quickyaml
from amentor_build.scaffold import starter_dir, write_project_files
from amentor_build.yamlsrc import _parse_with_positions, load_source

SAME = [
    "a: 1\nb: two\nc: 2.5\nd: yes\ne: No\nf: ~\ng:\nh: 2025-09-01\ni: 2025-02-30\nj: -5\nk: .5\nl: 1e5\n",
    "a: 'it''s'\nb: \"say 'hi'\"\nc: Tom's book\nd: 5b+\ne: x?y\nf: b:c\ng: '#1'\nh: Year#5 # a comment\n",
    "terms:\n  autumn:\n    attainment:\n      reading: {working_at: '5b', target: 5b+}\n"
    "    targets:\n      reading:\n        - {text: \"Use commas, well\", review: achieved}\n"
    "        - text: Plain\n          review: partly\n",
    "work:\n- {kind: writing, title: \"My recount\", file: work/a.jpg,\n   pupil_caption: \"I liked it\", date: 2025-10-01}\n"
    "- kind: theme\n  title: Castles\nempty: {}\nlist: [1, two, 'three, four']\nnested:\n  -\n    a: 1\n  - - x\n    - y\n",
    "# a comment\n\nkey: value   \nother: 'x'\n\n# end\n",
    "a: 1\na: 2\n",  # the last one counts
    "a: on\nyes: 1\n",  # keys are typed too
]

FALLBACK = [
    "a: |\n  text\n", "a: >\n  folded\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: \"esc\\n\"\n",
    "a: multi\n  line\n", "a: 0x1F\n", "a: 1_000\n", "a: 010\n", "a: 2025-09-01 10:00:00\n",
    "---\na: 1\n", "- a\n- b\n", "a:\n    b: 1\n  c: 2\n", "a: {b: {c: 1}}\n", "a: {b: Why? Because}\n",
    "a: x # y 'z'\n", "a:\tb\n", "<<: {a: 1}\n", "a: b: c\n", "\"quoted key\": 1\n", "a: [1, [2]]\n",
    "a: {b: 1,\n\n  c: 2}\n", "a: 'open\n  quote'\n", "a: 1\n...\n",
]


@pytest.mark.parametrize("text", SAME)
def test_same_values_as_pyyaml(text):
    assert quickyaml.parse(text) is not quickyaml.FALLBACK
    assert repr(quickyaml.parse(text)) == repr(_parse_with_positions(text, "x.yml").data)  # PyYAML, as before


@pytest.mark.parametrize("text", FALLBACK)
def test_anything_else_goes_to_pyyaml(text):
    assert quickyaml.parse(text) is quickyaml.FALLBACK


def test_every_sample_file_reads_the_same_with_the_same_positions(tmp_path):
    write_project_files(tmp_path, starter_dir(), "Sample", 14, full_history=True, complete_years=True)
    files = [tmp_path / "school.yml", *sorted(tmp_path.glob("pupils/*/*.yml"))]
    assert len(files) > 50
    for file in files:
        text = file.read_text(encoding="utf-8")
        assert file.name == "school.yml" or quickyaml.parse(text) is not quickyaml.FALLBACK, file
        fast, slow = load_source(file, file.name), _parse_with_positions(text, file.name)
        assert repr(fast.data) == repr(slow.data) == repr(yaml.safe_load(text))
        for keypath in list(slow.keys)[:40]:  # top-level keys answered without a second parse, the rest with one
            assert fast.position(keypath, at_key=True) == slow.position(keypath, at_key=True), (file, keypath)
            assert fast.position(keypath) == slow.position(keypath), (file, keypath)


def test_errors_still_name_line_and_column(tmp_path):
    file = tmp_path / "2025-26.yml"
    file.write_text("year_group: 3\nclass: Oak\nteacher: # to follow\nterms:\n  autumn:\n    attainment:\n"
                    "      reading: {working_at: '9z', target: 3b}\n")
    source = load_source(Path(file), "2025-26.yml")
    slow = _parse_with_positions(file.read_text(), "2025-26.yml")
    assert source.position(("teacher",)) == slow.position(("teacher",))  # an empty value: as PyYAML places it
    assert source.position(("terms", "autumn", "attainment", "reading", "working_at")) == (7, 29)
    assert source.position(("class",)) == (2, 8) and source.position(("class",), at_key=True) == (2, 1)


def test_mangled_records_are_never_read_differently(tmp_path):
    """Thousands of small edits to real record files (typos a teacher might make): whenever the
    fast reader accepts the result, PyYAML accepts it too and reads the same values."""
    import random

    from amentor_build.yamlsrc import SourceError

    write_project_files(tmp_path, starter_dir(), "Sample", 3, full_history=True, complete_years=True)
    texts = [f.read_text(encoding="utf-8") for f in sorted(tmp_path.glob("pupils/*/20*.yml"))]
    pieces = [":", ": ", " #", "#", "'", '"', "''", "- ", "-", "{", "}", "[", "]", ",", " ", "  ", "\n", "\n  ",
              "?", "&a", "*a", "!", "|", ">", "yes", "0x1", "~", "2025-13-01", "\\", "%", "@", "`", "<<: "]
    rng = random.Random(20261122)
    accepted = 0
    for _ in range(3000):
        text = rng.choice(texts)
        at = rng.randrange(len(text))
        cut = rng.choice([0, 0, 1, 2])
        text = text[:at] + rng.choice(pieces) + text[at + cut:]
        fast = quickyaml.parse(text)
        if fast is quickyaml.FALLBACK:
            continue
        accepted += 1
        try:
            slow = _parse_with_positions(text, "x.yml").data
        except SourceError as exc:
            raise AssertionError(f"accepted what PyYAML rejects ({exc.message}):\n{text}") from exc
        assert repr(fast) == repr(slow), text
    assert accepted > 500  # most small edits stay inside the plain subset


def test_repeated_lines_are_read_once_but_never_shared():
    """Lines and flow collections are remembered by their text; each parse gets its own values."""
    text = "a: {b: 1, c: x}\nd: [1, 2]\ne:\n  - {f: g}\n  - {f: g}\n"
    first = quickyaml.parse(text)
    assert first == yaml.safe_load(text)
    first["a"]["b"] = 99
    first["d"].append(3)
    first["e"][0]["f"] = "changed"
    assert first["e"][1] == {"f": "g"}  # the same line twice in one file: two values
    assert quickyaml.parse(text) == yaml.safe_load(text)
