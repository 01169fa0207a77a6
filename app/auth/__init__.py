"""Accounts: registration with consent, e-mail verification, sign-in with two-factor, reset, data rights."""

from flask import Blueprint

auth_bp = Blueprint("auth", __name__, template_folder="templates")
