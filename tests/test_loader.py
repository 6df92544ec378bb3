from __future__ import annotations

from pathlib import Path

import pytest

from airspec import loader
from airspec.errors import ContentError, InputError
from airspec.loader import MAX_BYTES, load_file, load_text


@pytest.fixture(autouse=True, params=["libyaml", "pure"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test here runs with libyaml (ruamel.yaml.clib, what users get) and with ruamel's pure-Python
    parser (the loader's fallback), which must behave alike."""
    if request.param == "pure":
        monkeypatch.setattr(loader, "_compose_c", _no_libyaml)
    return str(request.param)


def _no_libyaml(text: str) -> None:
    raise loader._NoCParser


def test_positions_of_keys_and_values() -> None:
    loaded = load_text("a:\n  b: 1\n  c: [x, {d: 2}]\n", "s.yaml")
    assert loaded.data == {"a": {"b": 1, "c": ["x", {"d": 2}]}}
    assert str(loaded.source.key(("a", "b"))) == "s.yaml:2:3"
    assert str(loaded.source.value(("a", "b"))) == "s.yaml:2:6"
    assert str(loaded.source.value(("a", "c", 1, "d"))) == "s.yaml:3:14"
    # An unknown deeper path falls back to the nearest known parent.
    assert str(loaded.source.value(("a", "c", 1, "zzz"))) == "s.yaml:3:10"


def test_yaml_1_2_scalars() -> None:
    data = load_text("a: on\nb: yes\nc: 3.10\nd: '3.10'\ne: 2024-01-01\nf: ~\ng: 0x10\nh: true\n", "s").data
    assert data == {
        "a": "on",
        "b": "yes",
        "c": 3.1,
        "d": "3.10",
        "e": "2024-01-01",
        "f": None,
        "g": 16,
        "h": True,
    }


def test_merge_keys_and_aliases() -> None:
    data = load_text("base: &b {cpu: 1, memory: 2Gi}\nx:\n  <<: *b\n  cpu: 2\ny: *b\n", "s").data
    assert data["x"] == {"cpu": 2, "memory": "2Gi"}
    assert data["y"] == {"cpu": 1, "memory": "2Gi"}


def test_duplicate_key_names_both_lines() -> None:
    with pytest.raises(ContentError) as exc:
        load_text("a: 1\nb:\n  c: 1\n  c: 2\n", "s.yaml")
    assert str(exc.value) == "s.yaml:4:3: error: duplicate key 'c' (first defined at line 3)"


def test_billion_laughs_refused() -> None:
    """Refused from the shared node graph, before anything is expanded (bench/run.py times it)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(8):
        prev, cur = chr(97 + i), chr(98 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(ContentError, match="alias expansion is bounded"):
        load_text("\n".join(lines) + "\n", "bomb.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !!python/object:os.system x\n", "s:1:4: error: unsupported YAML tag"),
        ("a: !custom {b: 1}\n", "s:1:4: error: unsupported YAML tag '!custom'"),
        ("a: b: c\n", "s:1:5: error: invalid YAML: mapping values are not allowed here"),
        ("x: [1, 2\n", "s:2:1: error: invalid YAML"),
        ("[" * 500_000, "s:1:257: error: nesting deeper than 64 levels"),
        ("[" * 100 + "]" * 100, "s:1:65: error: nesting deeper than 64 levels"),
        (
            "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 80)),
            "error: nesting deeper than 64 levels",
        ),
        ("? [a, b]\n: 1\n", "s:1:3: error: mapping keys must be plain strings"),
    ],
    ids=[
        "python-tag",
        "local-tag",
        "syntax",
        "unclosed",
        "deep-flow",
        "deep-flow-closed",
        "deep-block",
        "complex-key",
    ],
)
def test_malformed_yaml_is_one_positioned_line(text: str, expected: str) -> None:
    with pytest.raises(ContentError) as exc:
        load_text(text, "s")
    assert expected in str(exc.value)
    assert "\n" not in str(exc.value)


def test_unreadable_files(tmp_path: Path) -> None:
    cases: dict[str, tuple[Path, str, type[Exception]]] = {
        "missing": (tmp_path / "nope.yaml", "no such file", InputError),
        "dir": (tmp_path, "is a directory", InputError),
    }
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"name: x\n\x00\x01\x02")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: caf\xe9\n".encode("latin-1"))
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"a: " + b"x" * (MAX_BYTES + 1))
    cases |= {
        "binary": (binary, "bin.yaml:2:1: error: binary data", ContentError),
        "latin": (latin, "latin.yaml:1:10: error: not valid UTF-8", ContentError),
        "huge": (huge, "larger than", ContentError),
    }
    for path, expected, error in cases.values():
        with pytest.raises(error) as exc:
            load_file(str(path))
        assert expected in str(exc.value)


def test_empty_document_is_empty_mapping() -> None:
    assert load_text("# nothing\n", "s").data == {}


def test_byte_order_mark_is_skipped_by_yaml_and_kept_for_other_readers(tmp_path: Path) -> None:
    """YAML allows a BOM at the start of a stream; airflow.cfg's reader (as Airflow's) refuses one, so reading a
    file must not drop it before the reader that decides (tests/test_cfgfile.py pins that refusal)."""
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: x\nlist: [1]\n")
    assert loader.read_text(str(path)).startswith("\ufeff")
    loaded = load_file(str(path))
    assert loaded.data == {"name": "x", "list": [1]}
    assert str(loaded.source.value(("name",))).endswith("bom.yaml:1:7")
