"""The demo board "Pilot a joint crisis-visit rota", built through the same services a person would use."""
from datetime import date, timedelta

from sqlalchemy import select

from workspace.boards import services
from workspace.boards.models import Board
from workspace.extensions import db

TITLE = "Pilot a joint crisis-visit rota"
GOAL = """\
A **boundary project**: for three months, a police officer, a social worker and a mental-health
nurse answer crisis calls together on Friday and Saturday nights. This board tracks the work
of setting it up."""
COLUMNS = [("Ideas", None), ("To do", None), ("Doing", 3), ("Done", None)]

# (column, title, assignees, due in days or None, labels, checklist)
CARDS = [
    ("Ideas", "Ask people with lived experience what a good first hour looks like", ["maria"], None,
     ["lived experience"], []),
    ("Ideas", "Shared vocabulary sheet for the rota (case, client, patient, section)", ["sam", "priya"], None,
     ["glossary"], []),
    ("To do", "Agree who drives and who leads the conversation", ["lee", "sam", "priya"], 10,
     ["roles"], ["Draft the roles", "Each community reviews", "Sign off"]),
    ("To do", "Data-sharing agreement between the three services", ["lee", "priya"], 21,
     ["governance"], ["Find each service's information-governance lead", "Draft the agreement"]),
    ("To do", "Book a room for the joint training day", ["jo"], 5, ["training"], []),
    ("To do", "Write the handover note template", ["maria", "jo"], 14, ["paperwork"], []),
    ("To do", "Check insurance for social workers riding in police cars", ["sam"], -2,
     ["governance", "urgent"], []),
    ("Doing", "Draft the rota for the first four weekends", ["lee", "maria", "priya"], 3,
     ["rota"], ["Collect availability", "Fill the first weekend", "Share the draft"]),
    ("Doing", "Map the out-of-hours crisis lines and who answers them", ["priya"], 7, ["mapping"], []),
    ("Doing", "Joint training: de-escalation and the Mental Health Act in an hour", ["jo", "sam"], 12,
     ["training"], ["Pick trainers from each community", "Agree the agenda"]),
    ("Done", "Agree the pilot's two evaluation questions", ["sam", "lee"], -7, ["evaluation"],
     ["Draft questions", "Vote"]),
    ("Done", "Find a sponsor in each service", ["priya", "lee", "sam"], -14, ["governance"], []),
]


REFERRAL_TITLE = "Referral form: first draft"
REFERRAL_GOAL = "One page both services can fill in, so nobody referred falls between psychiatry and social work."


def seed_boards(world: dict) -> dict:
    """Create the demo boards that are missing; running it twice changes nothing."""
    return {"crisis_rota": _crisis_board(world), "referral_form": _referral_board(world)}


def _referral_board(world: dict) -> Board:
    space, people = world["spaces"]["referral"], world["people"]
    board = next((b for b in services.boards_in(space) if b.title == REFERRAL_TITLE), None)
    if board is not None:
        return board
    omar, sam, priya = people["omar"], people["sam"], people["priya"]
    board = services.create_board(space, title=REFERRAL_TITLE, goal=REFERRAL_GOAL, actor=priya)
    todo, doing, _done = services.open_columns(board)
    card = services.create_card(board, column=todo, title="List what each service needs in a referral",
                                assignee_ids=[omar.id, sam.id], labels=["form"], actor=omar)
    services.add_checklist_item(card, text="Ask the duty teams", actor=omar)
    services.create_card(board, column=todo, title="Client or patient? Agree a word for the person referred",
                         assignee_ids=[sam.id, priya.id], labels=["glossary"], actor=sam)
    services.create_card(board, column=doing, title="Draft the one-page form", assignee_ids=[priya.id], actor=priya)
    old = services.create_card(board, column=todo, title="Keep using the fax form", actor=sam)
    services.archive_card(old, actor=sam)
    return board


def _crisis_board(world: dict) -> Board:
    crisis, people = world["spaces"]["crisis"], world["people"]
    board = next((b for b in services.boards_in(crisis) if b.title == TITLE), None)
    if board is not None:
        return board
    lee = people["lee"]
    board = services.create_board(crisis, title=TITLE, goal=GOAL, actor=lee, column_titles=[c for c, _ in COLUMNS])
    columns = {c.title: c for c in board.columns}
    for title, limit in COLUMNS:
        if limit:
            services.update_column(columns[title], version=columns[title].version, wip_limit=limit, actor=lee)
    today = date.today()
    for column, title, assignees, due_in, labels, checklist in CARDS:
        actor = people[assignees[0]]
        card = services.create_card(board, column=columns[column], title=title, actor=actor,
                                    description=f"Part of the pilot: *{title.lower()}*.",
                                    assignee_ids=[people[a].id for a in assignees],
                                    due_on=today + timedelta(days=due_in) if due_in is not None else None,
                                    labels=labels)
        for i, text in enumerate(checklist):
            item = services.add_checklist_item(card, text=text, actor=actor)
            if column == "Done" or (column == "Doing" and i == 0):
                services.set_checklist_item(item, done=True, actor=actor)
    return board


def find_board(title: str = TITLE) -> Board | None:
    return db.session.scalar(select(Board).where(Board.title == title))
