"""What a person wrote in each domain, for their own export (one exporter per domain)."""
from sqlalchemy import or_, select

from workspace.accounts.models import ApiToken, LoginSession
from workspace.boards.models import Board, Card
from workspace.communities.models import Membership
from workspace.documents.models import Document, DocumentAuthor, DocumentUpdate, DocumentVersion, Endorsement
from workspace.extensions import db
from workspace.glossary.models import Term, TermRevision
from workspace.privacy import Section, exporter
from workspace.spaces.models import SpaceMember


def load_domain_exporters() -> None:
    """Import the exporters other domains keep in their own packages."""
    from workspace.activities import export as _activities  # noqa: F401  (issue 11)
    from workspace.comments import export as _comments  # noqa: F401  (issue 9)
    from workspace.moderation import export as _moderation  # noqa: F401  (issue 10)


def _md_list(items) -> str:
    return "".join(f"- {item}\n" for item in items) or "_Nothing yet._\n"


@exporter("account")
def export_account(user) -> Section:
    memberships = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    spaces = db.session.scalars(select(SpaceMember).where(SpaceMember.user_id == user.id)).all()
    sessions = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).all()
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    data = {
        "email": user.email, "display_name": user.display_name, "created_at": user.created_at,
        "communities": [{"community": m.community.name, "role": m.role, "since": m.created_at} for m in memberships],
        "spaces": [{"space": s.space.title, "role": s.role, "joined_at": s.joined_at} for s in spaces],
        "sessions": [{"user_agent": s.user_agent, "signed_in_at": s.created_at, "last_seen_at": s.last_seen_at,
                      "ip_address": s.ip_address, "ended_at": s.revoked_at} for s in sessions],
        "api_tokens": [{"name": t.name, "prefix": t.prefix, "created_at": t.created_at,
                        "last_used_at": t.last_used_at, "revoked_at": t.revoked_at} for t in tokens],
    }
    markdown = (f"# Your account\n\n- Name: {user.display_name}\n- Email: {user.email}\n"
                f"- Member since: {user.created_at:%d %B %Y}\n\n## Communities\n\n"
                + _md_list(f"{m['community']} ({m['role']})" for m in data["communities"])
                + "\n## Spaces\n\n" + _md_list(f"{s['space']} ({s['role']})" for s in data["spaces"]))
    return Section(data, markdown)


@exporter("documents")
def export_documents(user) -> Section:
    """The joint responses a person started or wrote in, the versions they saved, the positions they took."""
    wrote_in = select(DocumentUpdate.document_id).where(DocumentUpdate.user_id == user.id)
    authored = select(DocumentAuthor.document_id).where(DocumentAuthor.user_id == user.id)
    documents = db.session.scalars(select(Document).where(or_(
        Document.created_by_id == user.id, Document.id.in_(wrote_in), Document.id.in_(authored)))
        .order_by(Document.id)).all()
    versions = db.session.scalars(select(DocumentVersion).where(DocumentVersion.created_by_id == user.id)
                                  .order_by(DocumentVersion.id)).all()
    positions = db.session.scalars(select(Endorsement).where(Endorsement.user_id == user.id)
                                   .order_by(Endorsement.id)).all()
    titles = {d.id: d.title for d in db.session.scalars(select(Document).where(
        Document.id.in_({v.document_id for v in versions} | {p.document_id for p in positions})))}
    data = {
        "documents": [{"id": d.id, "title": d.title, "space": d.space.title, "started_by_you": d.created_by_id == user.id,
                       "created_at": d.created_at} for d in documents],
        "versions_saved": [{"document": titles.get(v.document_id), "number": v.number, "note": v.note,
                            "created_at": v.created_at} for v in versions],
        "positions": [{"document": titles.get(p.document_id), "position": p.position, "note": p.note,
                       "created_at": p.created_at} for p in positions],
    }
    markdown = ("# Joint responses\n\n## Documents you started or wrote in\n\n"
                + _md_list(f"{d['title']} (in {d['space']})" for d in data["documents"])
                + "\n## Versions you saved\n\n"
                + _md_list(f"{v['document']}, version {v['number']}: {v['note']}" for v in data["versions_saved"])
                + "\n## Positions you recorded\n\n"
                + _md_list(f"{p['document']}: {p['position']}. {p['note']}" for p in data["positions"]))
    return Section(data, markdown)


@exporter("boards")
def export_boards(user) -> Section:
    """Boards and cards a person created (cards others wrote and assigned to them are theirs, not here)."""
    boards = db.session.scalars(select(Board).where(Board.created_by_id == user.id).order_by(Board.id)).all()
    cards = db.session.scalars(select(Card).where(Card.created_by_id == user.id).order_by(Card.id)).all()
    data = {
        "boards": [{"title": b.title, "goal": b.goal, "created_at": b.created_at} for b in boards],
        "cards": [{"board": c.board.title, "title": c.title, "description": c.description,
                   "labels": c.labels, "due_on": c.due_on, "checklist": [i.text for i in c.checklist],
                   "created_at": c.created_at} for c in cards]
    }
    markdown = ("# Boards\n\n## Boards you created\n\n" + _md_list(f"{b['title']}: {b['goal']}" for b in data["boards"])
                + "\n## Cards you wrote\n\n"
                + "".join(f"### {c['title']} ({c['board']})\n\n{c['description']}\n\n" for c in data["cards"]))
    return Section(data, markdown)


@exporter("glossary")
def export_glossary(user) -> Section:
    """Terms a person added and the changes they proposed or made."""
    terms = db.session.scalars(select(Term).where(Term.created_by_id == user.id).order_by(Term.id)).all()
    revisions = db.session.scalars(select(TermRevision).where(TermRevision.actor_id == user.id)
                                   .order_by(TermRevision.id)).all()
    data = {
        "terms": [{"community": t.community.name, "term": t.term, "aliases": t.aliases, "definition": t.definition,
                   "example": t.example, "created_at": t.created_at} for t in terms],
        "changes": [{"term": r.term, "state": r.state, "summary": r.summary, "definition": r.definition,
                     "created_at": r.created_at} for r in revisions],
    }
    markdown = ("# Glossary\n\n## Terms you added\n\n"
                + "".join(f"### {t['term']} ({t['community']})\n\n{t['definition']}\n\n" for t in data["terms"])
                + "\n## Changes you made or proposed\n\n"
                + _md_list(f"{c['term']} ({c['state']}): {c['summary']}" for c in data["changes"]))
    return Section(data, markdown)

