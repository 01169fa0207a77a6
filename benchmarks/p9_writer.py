"""The writer of p9_writes.py: a process with the app's context that commits the site's own writes.

It calls the services as the site's pages and jobs call them, each write committed at the edge as
there (app/edge.py): an owner's edit of the descriptive fields (registry.reviews.edit, which calls
registry.services.update_enterprise), the approval of a pending review (registry.reviews.decide: a
legal edit or a label the owners asked for, made by `prepare`), an import of a small registry file
of updates for existing firms through the background job's path (upload, check, then a commit
written in steps: app/imports/services.py), a staff correction renaming a firm
(registry.records.staff_update), and the approval of a listing an owner registered (a new firm).

Told what to do on standard input, one command a line; answers each with one JSON line once the
write is committed ("committed": the wall clock just after the commit):

    prepare N       create N pending reviews and N pending registrations (each named with a word no
                    other firm holds) and the import's owner account; answers the counts
    owner | approve | import          one write of the stream
    rename | create                   one write whose firm a search must find: answers its word and key
    quit

    PYTHONPATH=. INSTANCE_PATH=… DATABASE_URL=… .venv/bin/python -m benchmarks.p9_writer
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
import time

from sqlalchemy import func, select

from app import audit, create_app
from app.auth.services import create_user, get_user_by_email
from app.edge import release, unit_of_work
from app.extensions import db
from app.imports import services as imports
from app.models import AuditEvent, Enterprise, Membership, ReviewRequest, User
from app.registry import records, reviews

LETTERS = "bcdfghklmnpqrstvx"  # no Vietnamese word is made of these alone, diacritics or not
OWNER, STAFF = "p9-owner@example.com", "p9-staff@example.com"
NOTE = "p9 benchmark"


def listed():
    return (Enterprise.record_state == "published", Enterprise.status != "dissolved")


def new_word(rng: random.Random) -> str:
    return "Zq" + "".join(rng.choice(LETTERS) for _ in range(8))


class Writer:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.low, self.high = db.session.execute(select(func.min(Enterprise.id), func.max(Enterprise.id))).one()
        self.reviews: list[int] = []
        self.registrations: list[tuple[int, str]] = []  # (review id, word)
        self.imports = 0
        with unit_of_work():  # the department's member of staff and the owner of the firms edited
            for email, role in ((STAFF, "staff"), (OWNER, "owner")):
                if get_user_by_email(email) is None:
                    create_user(email, f"p9 {role}", role, f"{role}-p9-benchmark-password", check_password=False)
        self.staff, self.owner_id = get_user_by_email(STAFF), get_user_by_email(OWNER).id
        release()

    def some_listed(self, *conditions) -> Enterprise:
        """A listed firm picked at random (the first at or after a random id)."""
        for _ in range(50):
            start = self.rng.randint(self.low, self.high)
            found = db.session.scalar(
                select(Enterprise)
                .where(*listed(), *conditions, Enterprise.id >= start)
                .order_by(Enterprise.id)
                .limit(1)  # without it the ORM reads every row of its joined loads
            )
            if found is not None:
                return found
        raise SystemExit("no listed enterprise found")

    def owned(self) -> tuple[User, Enterprise]:
        """A listed firm the benchmark's owner acts for (`prepare` made the claims), and the owner."""
        pick = select(Membership).join(Enterprise, Enterprise.id == Membership.enterprise_id)
        pick = pick.where(Membership.user_id == self.owner_id, Membership.claim_state == "verified", *listed())
        start = self.rng.randint(self.low, self.high)
        member = db.session.scalar(
            pick.where(Membership.enterprise_id >= start).order_by(Membership.enterprise_id).limit(1)
        )
        member = member or db.session.scalar(pick.order_by(Membership.enterprise_id).limit(1))
        if member is None:
            raise SystemExit("the benchmark's owner acts for no firm: `prepare` first")
        return member.user, member.enterprise

    def prepare(self, count: int) -> dict:
        """What the stream edits and approves, and what the freshness samples list: firms the owner
        acts for (a claim the department approved), pending reviews, pending registrations."""
        for n in range(count):
            firm = self.some_listed()
            with unit_of_work():
                try:
                    reviews.claim(self.the_owner, firm, "Giấy chứng nhận đăng ký (p9)")
                except reviews.ReviewError:  # someone acts for it already
                    continue
            self.decide(
                select(ReviewRequest).where(ReviewRequest.enterprise_id == firm.id, ReviewRequest.kind == "claim")
            )
            with unit_of_work():
                self.reviews += self.request(n, self.the_owner, db.session.merge(firm))
            with unit_of_work():
                word = new_word(self.rng)
                fields = {"name": f"Công ty TNHH {word}", "commune_code": firm.commune_code, "legal_form": "tnhh2"}
                fields |= {"main_vsic": firm.main_vsic, "employees": self.rng.randint(1, 40)}
                created = reviews.register_enterprise(self.the_owner, fields)
                review = select(ReviewRequest.id).where(ReviewRequest.enterprise_id == created.id)
                self.registrations.append((db.session.scalar(review), word))
        release()
        return {"reviews": len(self.reviews), "registrations": len(self.registrations)}

    @property
    def the_owner(self) -> User:
        return db.session.get(User, self.owner_id)

    def decide(self, which) -> ReviewRequest:
        """The department approves a pending review, as its page does."""
        review = db.session.scalar(which.where(ReviewRequest.state == "pending"))
        with app.test_request_context(base_url=app.config["PUBLIC_BASE_URL"]), unit_of_work():  # links in its message
            reviews.decide(db.session.merge(review), db.session.merge(self.staff), True, None)
        return review

    def request(self, n: int, user: User, firm: Enterprise) -> list[int]:
        """An owner's request for the department: a label, or a change of the registered facts."""
        if n % 2:
            label = "startup" if firm.is_digital_tech else "digital_tech"
            try:
                return [reviews.request_label(user, firm, label, "Hồ sơ kèm theo (p9)").id]
            except reviews.ReviewError:  # labelled already, or asked for
                return []
        employees = (firm.employees or 0) + self.rng.randint(1, 30)
        return [
            reviews.request_review("legal_edit", firm, user, {"employees": employees, "address": f"Số {n} (p9)"}).id
        ]

    def edit(self) -> dict:
        user, firm = self.owned()
        text = " ".join(self.rng.choice(("cà phê", "hồ tiêu", "du lịch", "thủy sản", "phần mềm")) for _ in range(3))
        with unit_of_work():
            reviews.edit(
                user, firm, {"description": f"{firm.name}: {text}", "phone": f"0257{self.rng.randint(0, 10**6):06d}"}
            )
        return {"key": firm.public_key}

    def approve(self) -> dict:
        if not self.reviews:
            return self.edit() | {"instead": "no pending review left"}
        review = self.decide(select(ReviewRequest).where(ReviewRequest.id == self.reviews.pop()))
        return {"key": review.enterprise.public_key, "review": review.kind}

    def import_(self, rows: int) -> dict:
        """A small registry file of updates for existing firms, checked then committed in steps."""
        firms = [self.some_listed(Enterprise.code.is_not(None)) for _ in range(rows)]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["ma_so_doanh_nghiep", "ten_doanh_nghiep", "ma_xa", "so_lao_dong"])
        for firm in {f.id: f for f in firms}.values():
            writer.writerow([firm.code, firm.name, firm.commune_code, (firm.employees or 0) + self.rng.randint(1, 9)])
        actor = audit.Actor.of(self.staff)
        self.imports += 1
        release()
        batch = imports.upload(out.getvalue().encode("utf-8-sig"), f"p9-{self.imports}.csv", actor)
        imports.run_check(batch)
        batch = imports.commit_batch(batch, actor)
        return {"batch": batch.id, "state": batch.state, "updated": batch.updated_count}

    def rename(self) -> dict:
        firm, word = self.some_listed(), new_word(self.rng)
        with unit_of_work():
            records.staff_update(firm, audit.Actor.of(self.staff), {"name": f"{firm.name[:180]} {word}"}, NOTE)
        return {"key": firm.public_key, "word": word}

    def create(self) -> dict:
        if not self.registrations:
            return self.rename()
        review_id, word = self.registrations.pop()
        review = self.decide(select(ReviewRequest).where(ReviewRequest.id == review_id))
        return {"key": review.enterprise.public_key, "word": word}


def main() -> int:
    writer = Writer(random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 9))
    for line in sys.stdin:
        command, *rest = line.split()
        if command == "quit":
            break
        started, before = time.time(), db.session.scalar(select(func.max(AuditEvent.id))) or 0
        release()
        if command == "prepare":
            answer = writer.prepare(int(rest[0]))
        elif command == "import":
            answer = writer.import_(int(rest[0]) if rest else 20)
        else:
            answer = {"owner": writer.edit, "approve": writer.approve, "rename": writer.rename}.get(
                command, writer.create
            )()
        committed = time.time()
        audited = (db.session.scalar(select(func.max(AuditEvent.id))) or 0) - before
        release()
        answer |= {"kind": command, "seconds": round(committed - started, 3), "committed": committed}
        print(json.dumps(answer | {"audited": audited}), flush=True)
    return 0


app = create_app()

if __name__ == "__main__":
    with app.app_context():
        sys.exit(main())
