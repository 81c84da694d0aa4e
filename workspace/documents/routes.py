"""Document pages: create, the live editor, versions and diffs, review and endorsement, export."""
import re
import unicodedata
from urllib.parse import quote

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workspace import policy
from workspace.comments import on_documents
from workspace.communities.models import Community
from workspace.documents import diff, services
from workspace.documents.forms import DocumentForm, PositionForm, VersionForm, WithdrawForm
from workspace.documents.models import POSITION_LABELS, Document, DocumentVersion
from workspace.errors import NotFound, ValidationError, show_on_form
from workspace.extensions import db
from workspace.glossary import reading
from workspace.loading import load_document, load_space

bp = Blueprint("documents", __name__)



def load_version(document: Document, version_id) -> DocumentVersion:
    version = db.session.get(DocumentVersion, version_id) if isinstance(version_id, int) else None
    if version is None or version.document_id != document.id:
        raise NotFound("That version does not exist for this document.")
    return version


@bp.route("/spaces/<int:space_id>/documents/new", methods=["GET", "POST"])
@login_required
def create_document(space_id):
    space = load_space(space_id)
    policy.require(policy.can_create_document(current_user, space),
                   "Join this space to start a document.", user=current_user)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            document = services.create_document(space, title=form.title.data, responds_to=form.responds_to.data,
                                                responds_to_url=form.responds_to_url.data, actor=current_user)
        except ValidationError as error:
            show_on_form(form, error)
        else:
            return redirect(url_for("documents.show_document", document_id=document.id))
    return render_template("documents/new.html", form=form, space=space), 422 if form.errors else 200


@bp.route("/documents/<int:document_id>")
@login_required
def show_document(document_id):
    document = load_document(document_id)
    return _render_document(document)


def _render_document(document: Document, position_form: PositionForm | None = None):
    """The document page; a refused position comes back with what was chosen and typed, and why."""
    text = services.current_text(document)
    position_form = position_form or PositionForm()
    position_form.community_id.choices = [(c.id, c.name) for c in policy.endorsing_communities(current_user, document)]
    return render_template("documents/show.html", document=document, text=text,
                           glossary=reading.context_for(document.space, current_user),
                           community_names={c.id: c.name for c in document.space.communities},
                           record=services.endorsement_record(document, text=text),
                           version_form=VersionForm(), position_form=position_form, withdraw_form=WithdrawForm(),
                           can_edit=policy.can_edit_document(current_user, document),
                           position_labels=POSITION_LABELS, status_labels=services.STATUS_LABELS,
                           document_threads=on_documents.placed_threads(  # comments (issue 9)
                               document, replies_shown=on_documents.REPLIES_SHOWN),
                           replies_shown=on_documents.REPLIES_SHOWN)


PREVIEW_MODES = ("annotated", "mine")


@bp.route("/documents/<int:document_id>/preview", methods=["POST"])
@login_required
def preview_document(document_id):
    """Render Markdown through the one sanitiser, then the glossary, for this reader's live preview.

    Takes {"text", "mode": "annotated" | "mine"}; answers {"fragments", "mode"}: the preview and the
    popover entries of the terms marked in it, as the `[data-glossary-fragment]`s the page swaps in.
    """
    document = load_document(document_id)
    data = request.get_json(silent=True)
    data = data if isinstance(data, dict) else {}
    text, mode = data.get("text"), data.get("mode", "annotated")
    if not isinstance(text, str) or len(text) > services.TEXT_MAX:
        raise ValidationError({"text": "Send the text to preview as a JSON string."})
    if mode not in PREVIEW_MODES:
        raise ValidationError({"mode": "Choose “annotated” or “mine”."})
    fragments = render_template("documents/_preview.html", text=text, mode=mode,
                                glossary=reading.context_for(document.space, current_user))
    return jsonify({"fragments": fragments, "mode": mode})


@bp.route("/documents/<int:document_id>/versions")
@login_required
def list_versions(document_id):
    document = load_document(document_id)
    return render_template("documents/versions.html", document=document, versions=services.versions_of(document),
                           can_edit=policy.can_edit_document(current_user, document))


@bp.route("/documents/<int:document_id>/versions", methods=["POST"])
@login_required
def save_version(document_id):
    document = load_document(document_id)
    policy.require(policy.can_edit_document(current_user, document), "Only editors save versions.", user=current_user)
    form = VersionForm()
    version = services.save_version(document, note=form.note.data, actor=current_user)
    flash(f"Saved version {version.number}.", "success")
    return redirect(url_for("documents.list_versions", document_id=document.id))


@bp.route("/documents/<int:document_id>/diff")
@login_required
def show_diff(document_id):
    """Compare two versions, or a version with the current text ("current")."""
    document = load_document(document_id)

    def pick(name):
        value = request.args.get(name, "current")
        if value == "current":
            return "Current text", services.current_text(document)
        if not value.isdigit():
            raise ValidationError({name: "Choose a version number or 'current'."})
        version = load_version(document, int(value))
        return f"Version {version.number}", version.text

    (label_a, old), (label_b, new) = pick("from"), pick("to")
    added, removed = diff.changed(old, new)
    return render_template("documents/diff.html", document=document, label_a=label_a, label_b=label_b,
                           rendered=diff.render_diff(old, new), added=added, removed=removed,
                           versions=services.versions_of(document))


@bp.route("/documents/<int:document_id>/versions/<int:version_id>/restore", methods=["POST"])
@login_required
def restore_version(document_id, version_id):
    document = load_document(document_id)
    policy.require(policy.can_edit_document(current_user, document), "Only editors restore versions.", user=current_user)
    version = load_version(document, version_id)
    services.restore_version(document, version, actor=current_user)
    flash(f"Version {version.number} is restored as a new edit; nothing after it was lost.", "success")
    return redirect(url_for("documents.show_document", document_id=document.id))


@bp.route("/documents/<int:document_id>/review", methods=["POST"])
@login_required
def move_to_review(document_id):
    document = load_document(document_id)
    policy.require(policy.can_propose_document(current_user, document), "Only editors propose a version.",
                   user=current_user)
    version = services.move_to_review(document, actor=current_user)
    flash(f"Version {version.number} is proposed: each community's stewards can now record their position.", "success")
    return redirect(url_for("documents.show_document", document_id=document.id))


@bp.route("/documents/<int:document_id>/positions", methods=["POST"])
@login_required
def record_position(document_id):
    document = load_document(document_id)
    policy.require(policy.can_endorse_document(current_user, document),
                   "Only stewards of a convened community record positions, while the document is in review.",
                   user=current_user)
    form = PositionForm()
    community = db.session.get(Community, form.community_id.data or 0)
    try:
        services.record_position(document, community=community, position=form.position.data,
                                 note=form.note.data, actor=current_user)
    except ValidationError as error:
        # Not a redirect: the page comes back with the position and note as they were, the message
        # beside the field and focus on it, so one more click cannot record a position not chosen.
        show_on_form(form, error)
        return _render_document(document, position_form=form), 422
    flash("Position recorded." + (" The document is adopted." if document.status == "adopted" else ""), "success")
    return redirect(url_for("documents.show_document", document_id=document.id, _anchor="endorsement"))


@bp.route("/documents/<int:document_id>/withdraw", methods=["POST"])
@login_required
def withdraw_document(document_id):
    document = load_document(document_id)
    policy.require(policy.can_withdraw_document(current_user, document),
                   "Only the space's moderators or the document's author withdraw it.", user=current_user)
    services.withdraw_document(document, reason=WithdrawForm().reason.data, actor=current_user)
    flash("The document is withdrawn and read-only.", "info")
    return redirect(url_for("documents.show_document", document_id=document.id))


@bp.route("/documents/<int:document_id>/export.md")
@login_required
def export_markdown(document_id):
    document = load_document(document_id)
    text = services.current_text(document)
    body = render_template("documents/export.md", document=document, text=text,
                           record=services.endorsement_record(document, text=text), labels=POSITION_LABELS,
                           status_labels=services.STATUS_LABELS)
    return Response(body, mimetype="text/markdown",
                    headers={"Content-Disposition": attachment_named(document, "md")})


@bp.route("/documents/<int:document_id>/export.html")
@login_required
def export_html(document_id):
    document = load_document(document_id)
    text = services.current_text(document)
    body = render_template("documents/export.html", document=document, text=text,
                           record=services.endorsement_record(document, text=text), labels=POSITION_LABELS,
                           status_labels=services.STATUS_LABELS)
    return Response(body, mimetype="text/html",
                    headers={"Content-Disposition": attachment_named(document, "html")})


def attachment_named(document: Document, extension: str) -> str:
    """Name an export after its document: an ASCII slug, and the title's own letters in filename* (RFC 6266)."""
    title = unicodedata.normalize("NFC", document.title or "")
    fallback = "document-%d" % document.id
    ascii_slug = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", title).encode("ascii", "ignore")
                        .decode().lower()).strip("-")[:80].strip("-") or fallback
    unicode_slug = re.sub(r"[^\w]+", "-", title.lower()).strip("-_")[:80].strip("-_") or fallback
    return (f'attachment; filename="{ascii_slug}.{extension}"; '
            f"filename*=UTF-8''{quote(unicode_slug, safe='')}.{extension}")
