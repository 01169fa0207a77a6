"""Two-step sign-in secrets are kept encrypted: user.totp_secret widens to hold AES-GCM ciphertext.

A secret read from a copy of the database (a backup, a dump) no longer makes codes. The key is
derived from SECRET_KEY (HKDF-SHA256 with a purpose label), so a database without the key tells
nothing. Upgrade encrypts each plaintext secret; downgrade decrypts them and narrows the column
(on PostgreSQL: SQLite does not hold a VARCHAR to its length).

Revision ID: d2b4f6a8c0e1
Revises: c9e4a2b7d1f8
Create Date: 2026-12-07 10:00:00
"""

import base64
import os

import sqlalchemy as sa
from alembic import op
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

revision = "d2b4f6a8c0e1"
down_revision = "c9e4a2b7d1f8"
branch_labels = None
depends_on = None

# The format as it is at this revision, frozen here: a migration never imports the application
# (app/models/user.py holds today's).
PREFIX = "v1:"
PURPOSE = b"chuyendoiso user.totp_secret v1"


def _aead():
    secret_key = current_app.config["SECRET_KEY"]
    secret_key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(secret_key)
    return AESGCM(key)


def _encrypt(plain):
    nonce = os.urandom(12)
    sealed = _aead().encrypt(nonce, plain.encode(), PURPOSE)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def _decrypt(stored):
    raw = base64.urlsafe_b64decode(stored[len(PREFIX) :])
    return _aead().decrypt(raw[:12], raw[12:], PURPOSE).decode()


def _rewrite(bind, change, wanted):
    rows = bind.execute(sa.text('SELECT id, totp_secret FROM "user" WHERE totp_secret IS NOT NULL')).all()
    for user_id, value in rows:
        if wanted(value):
            bind.execute(
                sa.text('UPDATE "user" SET totp_secret = :v WHERE id = :i'), {"v": change(value), "i": user_id}
            )


def _widen(length_from, length_to):
    # SQLite ignores a VARCHAR's length (and rebuilding the user table, which every other table refers
    # to, fails on its foreign keys): only PostgreSQL's column changes.
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "user",
            "totp_secret",
            existing_type=sa.String(length=length_from),
            type_=sa.String(length=length_to),
            existing_nullable=True,
        )


def upgrade():
    _widen(64, 255)
    _rewrite(op.get_bind(), _encrypt, lambda value: not value.startswith(PREFIX))


def downgrade():
    _rewrite(op.get_bind(), _decrypt, lambda value: value.startswith(PREFIX))
    _widen(255, 64)
