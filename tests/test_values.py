"""Each fixed list of values is one StrEnum (app/models/values.py): the CHECK constraints come from it,
and every member shown to people has its label in app/labels.py."""

from __future__ import annotations

import re
from pathlib import Path

from app import labels
from app.extensions import db
from app.models import values
from app.registry import records

APP = Path(__file__).resolve().parents[1] / "app"

LABELLED = {
    values.Role: labels.ROLES,
    values.ClaimState: labels.CLAIM_STATES,
    values.EnterpriseStatus: labels.STATUSES,
    values.RecordState: labels.RECORD_STATES,
    values.Certification: labels.CERTIFICATIONS,
    values.OcopGroup: labels.OCOP_GROUP_LABELS,
    values.Verification: records.VERIFICATION,
}


def test_every_member_shown_to_people_has_a_label(app):
    for vocabulary, labelled in LABELLED.items():
        assert set(labelled) == set(vocabulary), vocabulary.__name__


def test_the_check_constraints_are_generated_from_the_enums(app):
    constraints = {
        (table.name, c.name.removeprefix(f"ck_{table.name}_")): str(c.sqltext)
        for table in db.metadata.tables.values()
        for c in table.constraints
        if c.__class__.__name__ == "CheckConstraint" and " IN (" in str(c.sqltext)
    }
    expected = {
        ("user", "role"): values.Role,
        ("membership", "claim_state"): values.ClaimState,
        ("enterprise", "record_state"): values.RecordState,
        ("enterprise", "status"): values.EnterpriseStatus,
        ("product", "certification"): values.Certification,
        ("product_certificate", "certification"): values.Certification,
        ("review_request", "state"): values.ReviewState,
        ("contact_request", "state"): values.ContactState,
        ("assessment", "status"): values.AssessmentStatus,
        ("import_batch", "state"): values.ImportState,
        ("import_batch", "format"): values.ImportFormat,
        ("document", "purpose"): values.DocumentPurpose,
        ("indicator", "kind"): values.IndicatorKind,
        ("target", "status"): values.TargetStatus,
    }
    for key, vocabulary in expected.items():
        listed = re.findall(r"'([^']+)'", constraints[key])
        assert listed == [str(v) for v in vocabulary], key
    assert set(constraints) == set(expected)  # no list of values spelled in a constraint by hand


def test_no_list_of_stored_values_is_spelled_twice():
    """A list of three or more of an enum's values written out anywhere but values.py is a second copy."""
    found = []
    for vocabulary in values.Values.__subclasses__():
        members = [str(v) for v in vocabulary]
        if len(members) < 3:
            continue
        spelled = re.compile(r"""["']{}["'],\s*["']{}["'],\s*["']{}["']""".format(*map(re.escape, members[:3])))
        for path in APP.rglob("*.py"):
            if path.name != "values.py" and "migrations" not in path.parts and spelled.search(path.read_text("utf-8")):
                found.append(f"{path.relative_to(APP)}: {vocabulary.__name__}")
    assert found == []
