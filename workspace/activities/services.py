"""Start an activity from a template, tick its steps, judge it per community, close it.

Starting calls the documents, boards and glossary services a person would use: an activity owns no
document or board of its own kind, it links to ordinary ones. Who took part is read from what is
already recorded (steps ticked, document authorship, board history, glossary terms, judgements).
"""
import copy
import logging
from datetime import date, timedelta
from itertools import combinations

from sqlalchemy import or_, select

from workspace.activities import library
from workspace.activities.models import (CLOSED, NOT_USEFUL, OPEN, PARTLY, USEFUL, VERDICT_LABELS, VERDICTS,
                                         Activity, ActivityStep, CustomTemplate, Judgement)
from workspace.boards import services as boards
from workspace.boards.models import BoardActivity
from workspace.communities.models import Membership
from workspace.database import utcnow
from workspace.documents import services as documents
from workspace.documents.models import DocumentAuthor
from workspace.errors import ValidationError
from workspace.events import publish, room_for
from workspace.extensions import db
from workspace.glossary.models import Term
from workspace.spaces.models import ACCEPTED, ACTIVE, SpaceCommunity
from workspace.validation import FieldErrors

log = logging.getLogger("convene.activities")
WOULD_CHANGE_MAX = 5_000


# --- the library ----------------------------------------------------------------------------

def custom_templates_for(space) -> list[CustomTemplate]:
    """Templates the space's communities made and shared with their spaces."""
    ids = [link.community_id for link in space.convened]
    return list(db.session.scalars(select(CustomTemplate).where(
        CustomTemplate.community_id.in_(ids), CustomTemplate.shared.is_(True)).order_by(CustomTemplate.id)))


def community_templates(community) -> list[CustomTemplate]:
    return list(db.session.scalars(select(CustomTemplate).where(CustomTemplate.community_id == community.id)
                                   .order_by(CustomTemplate.id)))


def library_entries(space=None, *, duration: str = "", creates: str = "") -> list[dict]:
    """The templates on offer (shipped, then the space's communities' shared ones), filtered."""
    entries = [{"key": key, "plan": plan, "community": None} for key, plan in library.shipped().items()]
    if space is not None:
        entries += [{"key": t.key, "plan": t.plan, "community": t.community} for t in custom_templates_for(space)]
    if duration in library.DURATIONS:
        entries = [e for e in entries if library.duration_of(e["plan"]) == duration]
    if creates in library.KINDS:
        entries = [e for e in entries if creates in e["plan"]["creates"]]
    return entries


def find_template(key, space=None) -> dict:
    """The plan named `key` (a shipped file's name or `custom-N`), offered in `space` when given."""
    if isinstance(key, str) and key in library.shipped():
        return library.shipped()[key]
    if isinstance(key, str) and key.startswith("custom-") and key[7:].isdigit():
        custom = db.session.get(CustomTemplate, int(key[7:]))
        if custom is not None and (space is None or (custom.shared and custom.community_id in
                                                     {link.community_id for link in space.convened})):
            return custom.plan
    raise ValidationError({"template": "Choose a template from the library."})


def copy_template(community, *, key, actor) -> CustomTemplate:
    """Copy a shipped template into a community's library, to edit it there."""
    if not isinstance(key, str) or key not in library.shipped():
        raise ValidationError({"template": "Choose a template from the library to copy."})
    plan = copy.deepcopy(library.shipped()[key])
    plan["name"] = f"{plan['name']} ({community.name})"[:120]
    custom = CustomTemplate(community_id=community.id, copied_from=key, plan=plan, created_by_id=actor.id)
    db.session.add(custom)
    db.session.flush()
    log.info("activity template %s copied from %s for community %s by %s", custom.id, key, community.id, actor.id)
    return custom


def update_template(custom, *, plan, shared: bool, actor) -> CustomTemplate:
    """Replace a community template's plan after the same check the shipped files pass."""
    problems = library.plan_problems(plan)
    if problems:  # every field's problem at once; "is required." and the like need their field named
        raise ValidationError({field: f"{field} {message}" if message[:1].islower() else message
                               for field, message in problems.items()})
    custom.plan, custom.shared, custom.updated_at = plan, bool(shared), utcnow()
    db.session.flush()
    return custom


def usefulness_by_pair(key: str) -> list[dict]:
    """For each pair of communities that used the template: how many times both judged it useful, of how many."""
    counts: dict[tuple, list] = {}
    names = {}
    for activity in db.session.scalars(select(Activity).where(Activity.template_key == key)):
        verdicts = {row["community"].id: row["verdict"] for row in community_verdicts(activity)}
        for link in activity.space.convened:
            names[link.community_id] = link.community.name
        judged = sorted(cid for cid, verdict in verdicts.items() if verdict)
        for pair in combinations(judged, 2):
            tally = counts.setdefault(pair, [0, 0])
            tally[1] += 1
            tally[0] += all(verdicts[cid] == USEFUL for cid in pair)
    rows = [{"communities": sorted([names[a], names[b]], key=str.casefold), "useful": useful, "judged": judged}
            for (a, b), (useful, judged) in counts.items()]
    return sorted(rows, key=lambda row: [n.casefold() for n in row["communities"]])


# --- starting -------------------------------------------------------------------------------

def _date(value, errors: FieldErrors, field: str, label: str):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    errors.add(field, f"{label} must be a date like 2027-03-01.")
    return None


def start_activity(space, *, template_key, starts_on=None, ends_on=None, actor, today: date | None = None) -> Activity:
    """Create the activity and everything its template declares: document, board and cards, steps."""
    errors = FieldErrors()
    if space.status != ACTIVE:
        raise ValidationError({"space": "Activities start only in an active space; this one is read-only."})
    plan = find_template(template_key, space)
    today = today or date.today()
    starts = _date(starts_on, errors, "starts_on", "Start date")
    ends = _date(ends_on, errors, "ends_on", "End date")
    for field, value in (("starts_on", starts), ("ends_on", ends)):
        if value is not None and not 2000 <= value.year <= 2999:
            errors.add(field, "Choose a date between the years 2000 and 2999.")
    if "starts_on" not in errors.errors and "ends_on" not in errors.errors:
        starts = starts or today
        ends = ends or starts + timedelta(days=plan["timebox_days"] - 1)
        if ends < starts:
            errors.add("ends_on", "The end date is before the start date.")
        elif (ends - starts).days + 1 > library.TIMEBOX_MAX_DAYS:
            errors.add("ends_on", f"Keep the timebox to {library.TIMEBOX_MAX_DAYS} days or fewer "
                                  f"(this is {(ends - starts).days + 1}).")
    errors.raise_if_any()
    plan = copy.deepcopy(plan)
    activity = Activity(space_id=space.id, template_key=template_key, title=plan["name"], plan=plan,
                        starts_on=starts, ends_on=ends, status=OPEN, created_by_id=actor.id)
    for number, step in enumerate(plan["steps"], start=1):
        activity.steps.append(ActivityStep(number=number, title=step["title"], prompt=step["prompt"]))
    creates = plan["creates"]
    if "document" in creates:
        activity.document = documents.create_document(space, title=creates["document"]["title"],
                                                      text=document_skeleton(plan), actor=actor)
    if "board" in creates:
        spec = creates["board"]
        board = boards.create_board(space, title=spec["title"], goal=spec.get("goal", ""), actor=actor,
                                    column_titles=spec["columns"])
        columns = {c.title: c for c in boards.open_columns(board)}
        for card in spec.get("cards", []):
            boards.create_card(board, column=columns[card["column"]], title=card["title"], actor=actor)
        activity.board = board
    db.session.add(activity)
    db.session.flush()
    _publish("activity_started", activity, {"activity": activity_summary(activity)})
    log.info("activity %s (%s) started in space %s by %s", activity.id, template_key, space.id, actor.id)
    return activity


def document_skeleton(plan: dict) -> str:
    spec = plan["creates"]["document"]
    parts = [f"# {spec['title']}\n"]
    for section in spec["sections"]:
        parts.append(f"## {section['heading']}\n\n_{section['prompt']}_\n")
    return "\n".join(parts)


# --- steps, judgements, closing ---------------------------------------------------------------

def step_of(activity, number) -> ActivityStep:
    step = next((s for s in activity.steps if s.number == number), None) \
        if isinstance(number, int) and not isinstance(number, bool) else None
    if step is None:
        raise ValidationError({"step": f"This activity has steps 1 to {len(activity.steps)}; "
                                       f"there is no step {number}."})
    return step


def set_step_done(activity, *, number, done: bool = True, actor) -> ActivityStep:
    """Tick (or untick) a step; anyone taking part may, and everyone watching sees it at once."""
    step = step_of(activity, number)
    if not activity.is_open:
        raise ValidationError({"step": "This activity is closed; its steps can no longer change."})
    if not isinstance(done, bool):
        raise ValidationError({"done": "Say done: true or false."})
    if bool(step.done_at) != done:
        step.done_at, step.done_by_id = (utcnow(), actor.id) if done else (None, None)
        db.session.flush()
        db.session.refresh(step, ["done_by"])
        _publish("activity_step_done", activity, {"activity_id": activity.id, "space_id": activity.space_id,
                                                  "step": step_payload(step),
                                                  "steps_done": steps_done(activity),
                                                  "participation": participation_payload(activity)})
    return step


def judging_communities(activity, user) -> list:
    """The convened communities this user belongs to and has not yet answered for."""
    mine = set(db.session.scalars(select(Membership.community_id).where(Membership.user_id == user.id)))
    answered = {j.community_id for j in activity.judgements if j.user_id == user.id}
    return [link.community for link in activity.space.convened
            if link.status == ACCEPTED and link.community_id in mine and link.community_id not in answered]


def judge_refusal(activity, user) -> str:
    """Why this user may not judge: the words shown when the policy refuses."""
    if activity.space.status != ACTIVE:
        return "This space is archived: its activities can no longer be judged."
    mine = set(db.session.scalars(select(Membership.community_id).where(Membership.user_id == getattr(user, "id", 0))))
    convened = {link.community_id for link in activity.space.convened}
    if not mine & convened:
        return "Only members of the communities this space convenes answer for them; you belong to none of them."
    return "You have already answered for each of your communities in this space."


def judge_activity(activity, *, community_id, verdict, would_change="", actor) -> Judgement:
    """Record one member's answer for their community to "Was this useful to us?"."""
    errors = FieldErrors()
    errors.choice("verdict", verdict, VERDICTS, label="Your answer")
    would_change = errors.text("would_change", would_change, label="What you would change",
                               max_length=WOULD_CHANGE_MAX, required=False)
    link = next((l for l in activity.space.convened if l.community_id == community_id), None) \
        if isinstance(community_id, int) and not isinstance(community_id, bool) else None
    if link is None:
        errors.add("community_id", "Choose one of the communities this space convenes.")
    elif community_id not in {c.id for c in judging_communities(activity, actor)}:
        already = any(j.user_id == actor.id and j.community_id == community_id for j in activity.judgements)
        errors.add("community_id", f"You have already answered for {link.community.name}." if already else
                   f"You can only answer for a community you belong to; you are not in {link.community.name}.")
    errors.raise_if_any()
    judgement = Judgement(activity_id=activity.id, community_id=community_id, user_id=actor.id, verdict=verdict,
                          would_change=would_change)
    db.session.add(judgement)
    db.session.flush()
    db.session.refresh(activity, ["judgements"])
    _publish("activity_judged", activity, {"activity_id": activity.id, "space_id": activity.space_id,
                                           "judgement": judgement_payload(judgement),
                                           "verdicts": verdicts_payload(activity),
                                           "breakthrough": is_breakthrough(activity)})
    return judgement


def close_activity(activity, *, actor) -> Activity:
    if not activity.is_open:
        raise ValidationError({"status": "This activity is already closed."})
    activity.status, activity.closed_at, activity.closed_by_id = CLOSED, utcnow(), actor.id
    db.session.flush()
    _publish("activity_closed", activity, {"activity": activity_summary(activity)})
    return activity


def _publish(name: str, activity, payload: dict) -> None:
    publish(name, payload, room=room_for(activity.space))
    publish(name, payload, room=room_for(activity))


# --- reading --------------------------------------------------------------------------------

def activities_in(space) -> list[Activity]:
    return list(db.session.scalars(select(Activity).where(Activity.space_id == space.id)
                                   .order_by(Activity.created_at.desc(), Activity.id.desc())))


def steps_done(activity) -> int:
    return sum(1 for s in activity.steps if s.done_at)


def days_left(activity, today: date | None = None) -> int:
    """Whole days until the end of the timebox (the end date counts); negative once it has passed."""
    return (activity.ends_on - (today or date.today())).days + 1


def community_verdicts(activity) -> list[dict]:
    """Each convened community's answer: its members' answers, each shown, summed up as one verdict.

    A community found it useful when everyone who answered for it said so; not useful when everyone
    said not useful; partly otherwise (mixed answers are a "partly" for the community as a whole).
    """
    out = []
    for link in activity.space.convened:
        answers = [j for j in activity.judgements if j.community_id == link.community_id]
        said = {j.verdict for j in answers}
        verdict = None
        if said:
            verdict = USEFUL if said == {USEFUL} else NOT_USEFUL if said == {NOT_USEFUL} else PARTLY
        out.append({"community": link.community, "verdict": verdict, "judgements": answers})
    return out


def is_breakthrough(activity) -> bool:
    """A breakthrough: every convened community has answered, and found it useful."""
    verdicts = community_verdicts(activity)
    return bool(verdicts) and all(row["verdict"] == USEFUL for row in verdicts)


def breakthroughs_of(community) -> list[Activity]:
    """The breakthroughs a community took part in (its space convened it and it judged it useful)."""
    query = (select(Activity).join(SpaceCommunity, SpaceCommunity.space_id == Activity.space_id)
             .where(SpaceCommunity.community_id == community.id).order_by(Activity.created_at.desc()))
    return [a for a in db.session.scalars(query) if is_breakthrough(a)]


def participation(activity) -> list[dict]:
    """Who from each convened community has taken part so far, from the contributions already recorded."""
    user_ids: set[int] = {s.done_by_id for s in activity.steps if s.done_by_id}
    user_ids |= {j.user_id for j in activity.judgements if j.user_id}
    if activity.document_id:
        user_ids |= set(db.session.scalars(select(DocumentAuthor.user_id).where(
            DocumentAuthor.document_id == activity.document_id)))
    if activity.board_id:
        user_ids |= set(db.session.scalars(select(BoardActivity.actor_id).where(
            BoardActivity.board_id == activity.board_id)))
    user_ids |= _commenters(activity)
    convened = [link.community for link in activity.space.convened]
    if "glossary" in activity.plan["creates"]:
        user_ids |= set(db.session.scalars(select(Term.created_by_id).where(
            Term.community_id.in_([c.id for c in convened]), Term.created_at >= activity.created_at,
            Term.created_by_id.is_not(None))))
    members = db.session.execute(select(Membership.community_id, Membership.user_id).where(
        Membership.user_id.in_(user_ids or {0}), Membership.community_id.in_([c.id for c in convened]))).all()
    from workspace.accounts.models import User
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids or {0})))}
    return [{"community": c, "people": sorted((people[uid] for cid, uid in members if cid == c.id),
                                              key=lambda u: u.display_name.casefold())} for c in convened]


def _commenters(activity) -> set[int]:
    """People who commented on the activity's document or on its board's cards."""
    from workspace.boards.models import Card
    from workspace.comments.models import Comment
    on = []
    if activity.document_id:
        on.append(Comment.document_id == activity.document_id)
    if activity.board_id:
        on.append(Comment.card_id.in_(select(Card.id).where(Card.board_id == activity.board_id)))
    if not on:
        return set()
    return set(db.session.scalars(select(Comment.author_id).where(or_(*on), Comment.deleted_at.is_(None))))


def glossary_progress(activity) -> list[dict]:
    """Each glossary task, with how many terms each community added since the activity started."""
    tasks = activity.plan["creates"].get("glossary", [])
    if not tasks:
        return []
    counts = {}
    for link in activity.space.convened:
        counts[link.community_id] = len(list(db.session.scalars(select(Term.id).where(
            Term.community_id == link.community_id, Term.created_at >= activity.created_at))))
    return [{"task": t["task"], "terms": t["terms"],
             "communities": [{"community": link.community, "added": counts[link.community_id]}
                             for link in activity.space.convened]} for t in tasks]


# --- payloads -------------------------------------------------------------------------------

def step_payload(step) -> dict:
    return {"number": step.number, "title": step.title, "prompt": step.prompt, "done": bool(step.done_at),
            "done_at": step.done_at.isoformat() if step.done_at else None,
            "done_by": step.done_by.display_name if step.done_at and step.done_by else None}


def judgement_payload(judgement) -> dict:
    return {"community_id": judgement.community_id, "community": judgement.community.name,
            "user_id": judgement.user_id, "display_name": judgement.user.display_name if judgement.user else "",
            "verdict": judgement.verdict, "verdict_label": VERDICT_LABELS[judgement.verdict],
            "would_change": judgement.would_change, "created_at": judgement.created_at.isoformat()}


def verdicts_payload(activity) -> list[dict]:
    return [{"community_id": row["community"].id, "community": row["community"].name, "verdict": row["verdict"],
             "judgements": [judgement_payload(j) for j in row["judgements"]]} for row in community_verdicts(activity)]


def participation_payload(activity) -> list[dict]:
    return [{"community_id": row["community"].id, "community": row["community"].name,
             "people": [{"user_id": u.id, "display_name": u.display_name} for u in row["people"]]}
            for row in participation(activity)]


def activity_summary(activity) -> dict:
    return {"id": activity.id, "space_id": activity.space_id, "template": activity.template_key,
            "title": activity.title, "status": activity.status, "starts_on": activity.starts_on.isoformat(),
            "ends_on": activity.ends_on.isoformat(), "steps_total": len(activity.steps),
            "steps_done": steps_done(activity), "breakthrough": is_breakthrough(activity)}


def activity_payload(activity) -> dict:
    return {**activity_summary(activity),
            "document_id": activity.document_id, "board_id": activity.board_id,
            "closed_at": activity.closed_at.isoformat() if activity.closed_at else None,
            "steps": [step_payload(s) for s in activity.steps],
            "verdicts": verdicts_payload(activity),
            "participation": participation_payload(activity),
            "glossary_tasks": [{"task": t["task"], "terms": t["terms"],
                                "communities": [{"community_id": c["community"].id, "added": c["added"]}
                                                for c in t["communities"]]} for t in glossary_progress(activity)]}


def template_payload(entry: dict) -> dict:
    plan = entry["plan"]
    return {"key": entry["key"], "name": plan["name"], "situation": plan["situation"], "asks": plan["asks"],
            "timebox_days": plan["timebox_days"], "steps": plan["steps"], "creates": plan["creates"],
            "community_id": entry["community"].id if entry["community"] else None}

