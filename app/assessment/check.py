"""Check instrument files: schema, translations, names, scores, reachable thresholds, the lock.

Every problem names the file and the line. `flask surveys check` prints them; start-up refuses
to serve a broken instrument.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import yaml

from app.assessment.conditions import answer_tests, referenced_questions
from app.assessment.instruments import content_hash
from app.assessment.yamlsource import SourceMap

SURVEYS_DIR = Path(__file__).resolve().parents[2] / "surveys"


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@functools.cache
def _schema_validator(path: str) -> jsonschema.Draft202012Validator:
    with open(path, encoding="utf-8") as fh:
        return jsonschema.Draft202012Validator(json.load(fh))


def read_lock(surveys_dir: Path) -> dict[tuple[str, int], str]:
    """published.lock: one `<instrument> <version> <hash>` line per published version."""
    lock = surveys_dir / "published.lock"
    entries: dict[tuple[str, int], str] = {}
    if lock.exists():
        for line in lock.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                name, version, digest = line.split()
                entries[(name, int(version))] = digest
    return entries


def category_codes(surveys_dir: Path) -> set[str]:
    with open(surveys_dir / "categories.yaml", encoding="utf-8") as fh:
        return set(yaml.safe_load(fh)["categories"])


def check_file(path: Path, surveys_dir: Path = SURVEYS_DIR, lock: dict | None = None) -> list[Problem]:
    """All problems of one instrument file (empty when it is sound)."""
    try:
        src = SourceMap(path)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        return [Problem(f"{path}:{mark.line + 1 if mark else 1}", f"not valid YAML: {e}")]
    if not isinstance(src.data, dict):
        return [Problem(f"{path}:1", "the file must hold a mapping")]
    problems = [
        Problem(src.where(error.absolute_path), f"{'/'.join(map(str, error.absolute_path)) or 'file'}: {error.message}")
        for error in _schema_validator(str(surveys_dir / "schema.json")).iter_errors(src.data)
    ]
    problems += _check_text_style(src)
    if problems:
        return problems  # the rest assumes the shape is right
    problems += _check_identity(src, path)
    problems += _check_names(src)
    problems += _check_scores_and_thresholds(src)
    problems += _check_conditions(src)
    problems += _check_recommendations(src, category_codes(surveys_dir))
    lock = read_lock(surveys_dir) if lock is None else lock
    problems += _check_unanswered(src, lock)
    problems += _check_lock(src, lock)
    return problems


def _check_text_style(src: SourceMap) -> list[Problem]:
    found = []
    for path, node in src.text_nodes:
        keys = {k.value: k for k, _ in node.value}
        label = "/".join(map(str, path))
        if node.flow_style:
            found.append(
                Problem(
                    src.where(path), f"{label}: write the text as a block mapping, vi: and en: each on its own line"
                )
            )
        elif "vi" in keys and "en" in keys and keys["vi"].start_mark.line == keys["en"].start_mark.line:
            found.append(Problem(src.where(path), f"{label}: vi: and en: must each be on their own line"))
        for lang in ("vi", "en"):
            if lang not in keys:
                found.append(Problem(src.where(path), f"{label}: missing translation ({lang})"))
    return found


def _check_identity(src: SourceMap, path: Path) -> list[Problem]:
    data = src.data
    if path.parent.name != data["id"] or path.stem != str(data["version"]):
        return [Problem(src.where(("id",)), f"file must be surveys/{data['id']}/{data['version']}.yaml")]
    return []


def _check_names(src: SourceMap) -> list[Problem]:
    found, seen_q, seen_p = [], {}, set()
    for pi, pillar in enumerate(src.data["pillars"]):
        if pillar["id"] in seen_p:
            found.append(Problem(src.where(("pillars", pi, "id")), f"duplicate pillar id {pillar['id']!r}"))
        seen_p.add(pillar["id"])
        for qi, question in enumerate(pillar["questions"]):
            where = ("pillars", pi, "questions", qi, "name")
            if question["name"] in seen_q:
                found.append(
                    Problem(
                        src.where(where),
                        f"duplicate question name {question['name']!r} (first at line {seen_q[question['name']]})",
                    )
                )
            else:
                seen_q[question["name"]] = src.line(where)
            values = [c["value"] for c in question.get("choices", [])]
            if len(values) != len(set(values)):
                found.append(Problem(src.where(where), f"{question['name']}: duplicate choice values"))
    return found


def _check_scores_and_thresholds(src: SourceMap) -> list[Problem]:
    data, found = src.data, []
    levels = {lv["level"] for lv in data["levels"]}
    if levels != set(range(len(levels))):
        found.append(Problem(src.where(("levels",)), "levels must be numbered 0, 1, 2 … without gaps"))
    for pi, pillar in enumerate(data["pillars"]):
        if all(_question_max(q) == 0 for q in pillar["questions"]):
            found.append(
                Problem(
                    src.where(("pillars", pi)),
                    f"pillar {pillar['id']!r} has no question that can score: its levels cannot be reached",
                )
            )
        for qi, q in enumerate(pillar["questions"]):
            where = ("pillars", pi, "questions", qi)
            if _question_max(q) == 0:
                found.append(Problem(src.where(where), f"{q['name']}: no answer scores above 0"))
            if q["type"] == "number":
                ups = [b["up_to"] for b in q["bands"]]
                finite = [u for u in ups if u is not None]
                if finite != sorted(finite) or (None in ups and ups.index(None) != len(ups) - 1):
                    found.append(
                        Problem(
                            src.where((*where, "bands")), f"{q['name']}: bands must rise, with an open band (null) last"
                        )
                    )
                if q["min"] > q["max"]:
                    found.append(Problem(src.where((*where, "min")), f"{q['name']}: min is above max"))
    rules = sorted(data["scoring"]["pillar_levels"], key=lambda r: r["level"])
    shares = [r["max_share"] for r in rules]
    where = ("scoring", "pillar_levels")
    if any(b <= a for a, b in zip(shares, shares[1:], strict=False)):
        found.append(Problem(src.where(where), "pillar level thresholds must rise with the level"))
    if shares and shares[-1] < 1:
        found.append(
            Problem(
                src.where(where), f"no pillar level covers a share above {shares[-1]}: the top level must reach 1.0"
            )
        )
    if shares and shares[0] < 0:
        found.append(Problem(src.where(where), "a threshold below 0 cannot be reached"))
    for r in rules:
        if r["level"] not in levels:
            found.append(Problem(src.where(where), f"pillar level {r['level']} is not among the defined levels"))
    reachable_pillar_levels = {r["level"] for r in rules}
    for i, rule in enumerate(data["scoring"]["overall"]):
        where = ("scoring", "overall", i)
        if rule["level"] not in levels:
            found.append(Problem(src.where(where), f"overall level {rule['level']} is not among the defined levels"))
        if rule["total_share_above"] >= 1:
            found.append(
                Problem(
                    src.where(where),
                    f"level {rule['level']} needs a total share above {rule['total_share_above']}: unreachable",
                )
            )
        if rule["min_pillars"] > len(data["pillars"]):
            found.append(
                Problem(
                    src.where(where),
                    f"level {rule['level']} needs {rule['min_pillars']} pillars but there are {len(data['pillars'])}",
                )
            )
        if rule["pillar_level_at_least"] > max(reachable_pillar_levels, default=0):
            found.append(
                Problem(
                    src.where(where),
                    f"level {rule['level']} needs pillars at level {rule['pillar_level_at_least']}, which no pillar can reach",
                )
            )
    return found


def _question_max(q: dict) -> float:
    kind = q["type"]
    if kind == "single":
        return max(c["score"] for c in q["choices"])
    if kind == "multiple":
        total = sum(c["score"] for c in q["choices"])
        return min(total, q["max_score"]) if "max_score" in q else total
    if kind == "scale":
        return 5
    if kind == "yesno":
        return max(q["yes_score"], q["no_score"])
    return max(b["score"] for b in q["bands"])


def _check_conditions(src: SourceMap) -> list[Problem]:
    found, earlier = [], {}
    for pi, pillar in enumerate(src.data["pillars"]):
        for qi, q in enumerate(pillar["questions"]):
            where = src.where(("pillars", pi, "questions", qi, "show_if"))
            for name in referenced_questions(q.get("show_if")):
                if name not in earlier:
                    found.append(
                        Problem(where, f"{q['name']}: show_if reads {name!r}, which is not an earlier question")
                    )
            for test in answer_tests(q.get("show_if")):
                target = earlier.get(test["question"])
                allowed = _possible_values(target) if target else None
                wanted = (
                    [test["equals"]]
                    if "equals" in test
                    else test.get("in", []) + ([test["includes"]] if "includes" in test else [])
                )
                if allowed is not None and any(v not in allowed for v in wanted):
                    found.append(
                        Problem(
                            where,
                            f"{q['name']}: show_if compares {test['question']!r} with a value it cannot have "
                            f'(quote yes/no: "yes")',
                        )
                    )
            earlier[q["name"]] = q
    return found


def _possible_values(question: dict) -> list | None:
    if question["type"] == "yesno":
        return ["yes", "no"]
    if question["type"] in ("single", "multiple"):
        return [c["value"] for c in question["choices"]]
    return None


def _check_recommendations(src: SourceMap, categories: set[str]) -> list[Problem]:
    data, found = src.data, []
    pillar_ids = {p["id"] for p in data["pillars"]}
    levels = {lv["level"] for lv in data["levels"]}
    covered = set()
    for i, rec in enumerate(data["recommendations"]):
        where = ("recommendations", i)
        if rec["pillar"] not in pillar_ids:
            found.append(Problem(src.where(where), f"recommendation for unknown pillar {rec['pillar']!r}"))
        for level in rec["levels"]:
            if level not in levels:
                found.append(Problem(src.where(where), f"recommendation for undefined level {level}"))
            covered.add((rec["pillar"], level))
        for code in rec["categories"]:
            if code not in categories:
                found.append(
                    Problem(
                        src.where((*where, "categories")),
                        f"unknown solution category {code!r} (see surveys/categories.yaml)",
                    )
                )
    for pillar in data["pillars"]:
        missing = sorted(lv for lv in levels if (pillar["id"], lv) not in covered)
        if missing:
            found.append(
                Problem(
                    src.where(("recommendations",)),
                    f"pillar {pillar['id']!r} has no recommendation for level(s) {missing}",
                )
            )
    return found


def _check_unanswered(src: SourceMap, lock: dict) -> list[Problem]:
    """Every question that can go unanswered (optional, or hidden by show_if) says how it then counts,
    and every pillar keeps a question that always counts. A version published before the rule keeps
    its scores: its blank questions score zero, as its results page says."""
    data, found = src.data, []
    published_before = lock.get((data["id"], data["version"])) == content_hash(data) and not any(
        "unanswered" in q for p in data["pillars"] for q in p["questions"]
    )
    for pi, pillar in enumerate(data["pillars"]):
        always = False
        for qi, q in enumerate(pillar["questions"]):
            optional = not q["required"] or "show_if" in q
            where = src.where(("pillars", pi, "questions", qi, "name"))
            if optional and "unanswered" not in q and not published_before:
                found.append(
                    Problem(
                        where,
                        f"{q['name']}: can be left unanswered ({'optional' if not q['required'] else 'shown only if'}"
                        f"): say how it then counts, `unanswered: zero` or `unanswered: not_counted`",
                    )
                )
            elif not optional and "unanswered" in q:
                found.append(Problem(where, f"{q['name']}: is always answered, `unanswered` does not apply"))
            always = always or not optional or q.get("unanswered", "zero") == "zero"
        if not always:
            found.append(
                Problem(
                    src.where(("pillars", pi, "id")),
                    f"pillar {pillar['id']}: every question may be left out; keep one that always counts",
                )
            )
    return found


def _check_lock(src: SourceMap, lock: dict) -> list[Problem]:
    data = src.data
    key = (data["id"], data["version"])
    recorded = lock.get(key)
    where = src.where(("status",))
    if data["status"] == "published":
        if recorded is None:
            return [
                Problem(
                    where,
                    f"{key[0]} v{key[1]} says published but is not in surveys/published.lock (use `flask surveys publish`)",
                )
            ]
        if recorded != content_hash(data):
            return [
                Problem(
                    where, f"{key[0]} v{key[1]} was published and has since been changed; make a new version instead"
                )
            ]
    elif recorded is not None:
        return [Problem(where, f"{key[0]} v{key[1]} is in published.lock but marked draft")]
    return []


def check_all(surveys_dir: Path = SURVEYS_DIR) -> list[Problem]:
    problems = []
    for path in instrument_files(surveys_dir):
        problems += check_file(path, surveys_dir)
    return problems


def instrument_files(surveys_dir: Path = SURVEYS_DIR) -> list[Path]:
    return sorted(p for p in surveys_dir.glob("*/*.yaml") if p.stem.isdigit())
