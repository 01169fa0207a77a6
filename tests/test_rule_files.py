"""Every data file has a schema and `flask check` checks them all, naming file and place."""

from __future__ import annotations

import shutil

import pytest

from app import rules

EDITS = {
    "priority_sectors.yaml": ('prefixes: ["84"]', 'prefixes: ["8401"]', "groups/administration/prefixes/0"),
    "platforms.yaml": (
        "product_pattern: '/product/'",
        "product_pattern: '(/product/'",
        "platforms/tiktok/product_pattern",
    ),
    "size_tiers.yaml": ("tier: micro", "tier: tiny", "'tiny' is not one of"),
    "startup.yaml": ("max_years: 5", "max_years: five", "max_years"),
    "vsic.yaml": ("divisions: [[1, 3]]", "divisions: [[3, 1]]", "sections/A/divisions: 3–1 is not a range"),
    "digital_tech.yaml": ('"582":', '"58x":', "prefixes"),
    "targets.yaml": ("unit: percent\n", "unit: percentage\n", "'unit' must be one of"),
}


def test_every_rule_file_has_a_schema_and_the_shipped_ones_are_sound(runner):
    shipped = sorted(p.stem for p in rules.DEFAULT_RULES_DIR.glob("*.yaml"))
    assert rules.schema_names() == shipped
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "7 rule file(s) checked: all sound" in result.output


@pytest.mark.parametrize("file_name", sorted(EDITS))
def test_a_broken_rule_file_is_named_with_its_place(app, runner, tmp_path, file_name):
    folder = tmp_path / "rules"
    shutil.copytree(rules.DEFAULT_RULES_DIR, folder, ignore=shutil.ignore_patterns("schemas", "*.md"))
    old, new, expected = EDITS[file_name]
    path = folder / file_name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    app.config["RULES_DIR"] = str(folder)
    result = runner.invoke(args=["check"])
    assert result.exit_code != 0
    assert file_name in result.output and expected in result.output, result.output


def test_a_rule_file_that_does_not_fit_its_schema_is_refused_when_read(app, tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(rules.DEFAULT_RULES_DIR, folder, ignore=shutil.ignore_patterns("schemas", "*.md"))
    (folder / "startup.yaml").write_text("max_years: -1\nbasis: {vi: x, en: y}\n", encoding="utf-8")
    app.config["RULES_DIR"] = str(folder)
    with app.app_context(), pytest.raises(rules.RuleFileError, match="startup.yaml: max_years"):
        rules.load("startup")
