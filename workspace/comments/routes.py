"""Comment pages: post, reply, edit, delete, resolve in the space discussion and on cards (forms work without JS)."""
from flask import Blueprint

from workspace.comments import models  # noqa: F401  (the tables exist wherever the app does)

bp = Blueprint("comments", __name__)
