"""First use (issue 8): sign-in limits, refused endorsements, join requests, exports, forms."""
from contextlib import contextmanager

import pytest

from tests import conftest
from tests.conftest import csrf_from
from workspace import create_app
from workspace.extensions import db, limiter


# --- sign-in limits ----------------------------------------------------------------------------

@contextmanager
def rate_limited(database_url, **config):
    """The app with rate limits on (the suite's app has them off), on fresh in-memory counters.

    The limiter is one extension object: binding it to this app turns it on, so it is turned off
    again afterwards for every other test.
    """
    app = create_app(conftest.test_config(database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                                          **config))
    try:
        yield app
    finally:
        limiter.enabled = False
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def limited_app(database_url):
    with rate_limited(database_url) as app:
        yield app


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _attempt(client, email, password):
    page = client.get("/login")
    return client.post("/login", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                       "email": email, "password": password})


def _colleagues(app, count):
    from workspace.accounts.services import register_user
    with app.app_context():
        emails = [f"colleague{n}@team.test" for n in range(count)]
        for n, email in enumerate(emails):
            register_user(email=email, display_name=f"Colleague {n}", password="convene-demo")
        db.session.commit()
    return emails


def test_twenty_colleagues_behind_one_address_all_sign_in(limited_app):
    emails = _colleagues(limited_app, 20)
    for email in emails:
        response = _attempt(limited_app.test_client(), email, "convene-demo")
        assert response.status_code == 302, f"{email} was refused: {response.status_code}"


def test_sixth_wrong_password_for_one_account_is_refused_with_the_sites_page(limited_app):
    email = _colleagues(limited_app, 1)[0]
    client = limited_app.test_client()
    for _ in range(5):
        assert _attempt(client, email, "wrong password").status_code == 422
    refused = _attempt(client, email, "wrong password")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    html = refused.get_data(as_text=True)
    assert "Please try again in a minute." in _text(refused)
    assert 'class="site-header"' in html  # the site's own layout, not a bare error page
    # Even the right password waits: otherwise the limit would only slow guessing down.
    assert _attempt(client, email, "convene-demo").status_code == 429


def test_retrying_while_locked_out_does_not_use_up_the_addresss_allowance(database_url):
    with rate_limited(database_url, SIGN_IN_FAILURES_PER_ADDRESS="8 per 10 minutes") as app:
        mistyper, colleague = _colleagues(app, 2)
        client = app.test_client()
        statuses = [_attempt(client, mistyper, "wrong password").status_code for _ in range(12)]
        assert statuses == [422] * 5 + [429] * 7
        assert _attempt(app.test_client(), colleague, "wrong password").status_code == 422  # 6 of 8 used
        assert _attempt(app.test_client(), colleague, "convene-demo").status_code == 302


def test_one_persons_typos_do_not_lock_out_a_colleague_at_the_same_address(limited_app):
    mistyper, colleague = _colleagues(limited_app, 2)
    client = limited_app.test_client()
    for _ in range(6):
        _attempt(client, mistyper, "wrong password")
    assert _attempt(limited_app.test_client(), colleague, "convene-demo").status_code == 302


def test_many_failures_from_one_address_are_limited_across_accounts(database_url):
    with rate_limited(database_url, SIGN_IN_FAILURES_PER_ADDRESS="3 per 10 minutes") as app:
        client = app.test_client()
        for n in range(3):
            assert _attempt(client, f"nobody{n}@team.test", "guess").status_code == 422
        refused = _attempt(client, "nobody9@team.test", "guess")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 60
        assert "Please try again in 10 minutes." in _text(refused)


def test_other_rate_limited_pages_answer_with_the_same_page(limited_app):
    client = limited_app.test_client()
    for n in range(4):
        page = client.get("/register")
        response = client.post("/register", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                                  "email": f"burst{n}@team.test", "display_name": f"Burst {n}",
                                                  "password": "convene-demo"})
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert "Please wait a moment" in _text(response) and 'class="site-header"' in _text(response)


def test_a_limit_on_the_api_answers_problem_json_with_retry_after(app):
    from werkzeug.exceptions import TooManyRequests

    with app.test_request_context("/api/v1/spaces"):
        response = app.make_response(app.handle_user_exception(TooManyRequests(retry_after=120)))
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "120"
    assert response.json["detail"] == "Too many attempts. Try again in 2 minutes."


# --- a refused endorsement ---------------------------------------------------------------------

def test_refused_position_comes_back_with_the_choice_the_note_and_the_message_beside_it(sign_in_as, app):
    import re

    from sqlalchemy import select

    from tests.conftest import post_form
    from workspace.communities.services import find_community
    from workspace.documents.models import Document
    browser = sign_in_as("priya@psychiatry.test")
    with app.app_context():
        document_id = db.session.scalar(select(Document.id).where(Document.title.like("Joint response%")))
        community_id = find_community("psychiatry").id
    response = post_form(browser, f"/documents/{document_id}/positions",
                         {"community_id": community_id, "position": "reservations", "note": "  "},
                         page=f"/documents/{document_id}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'<option selected value="reservations">|'
                     r'<option value="reservations" selected>', html), "the choice was reset"
    note = re.search(r'<textarea[^>]*id="note"[^>]*>', html).group(0)
    assert 'aria-describedby="note-error"' in note and "autofocus" in note and 'aria-invalid="true"' in note
    assert re.search(r'id="note-error"[^>]*>Write your reservations', html)


def test_form_fields_never_say_none(sign_in_as):
    html = sign_in_as("priya@psychiatry.test").get("/profile").get_data(as_text=True)
    assert '"None"' not in html


# --- asking to join ------------------------------------------------------------------------------

def test_after_asking_to_join_the_page_says_so_and_a_second_request_is_refused(sign_in_as, app):
    from tests.conftest import OUTSIDER, post_form
    oscar = sign_in_as(OUTSIDER)
    sent = post_form(oscar, "/communities/social-work/join-requests", {"message": "I work with Sam."},
                     page="/communities/social-work")
    assert sent.status_code == 302
    page = _text(oscar.get("/communities/social-work"))
    assert "waiting for a steward" in page and "Withdraw my request" in page
    assert "Send request" not in page
    again = oscar.post("/communities/social-work/join-requests",
                       data={"csrf_token": csrf_from(oscar.get("/communities/social-work").get_data(as_text=True)),
                             "message": "Again"})
    assert again.status_code == 409
    assert "a steward has not answered yet" in _text(again)
    with app.app_context():
        from workspace.communities.models import JoinRequest
        from workspace.communities.services import find_community
        social_work = find_community("social-work")
        assert db.session.query(JoinRequest).filter_by(community_id=social_work.id, status="pending").count() == 1


def test_a_person_withdraws_their_request_and_may_ask_again(sign_in_as, app):
    from tests.conftest import OUTSIDER, post_form
    oscar = sign_in_as(OUTSIDER)
    post_form(oscar, "/communities/social-work/join-requests", {}, page="/communities/social-work")
    with app.app_context():
        from workspace.accounts.services import find_user_by_email
        from workspace.communities.models import JoinRequest
        request_id = db.session.query(JoinRequest.id).filter_by(
            user_id=find_user_by_email(OUTSIDER).id, status="pending").scalar()
    sam = sign_in_as("sam@socialwork.test")
    assert post_form(sam, f"/join-requests/{request_id}/withdraw").status_code == 403
    withdrawn = post_form(oscar, f"/join-requests/{request_id}/withdraw", page="/communities/social-work")
    assert withdrawn.status_code == 302
    page = _text(oscar.get("/communities/social-work"))
    assert "is withdrawn" in page and "Send request" in page
    assert "No pending requests." in _text(sam.get("/communities/social-work"))


def test_the_api_refuses_a_second_join_request_with_the_reason(app):
    from tests.conftest import OUTSIDER
    from workspace.accounts.services import create_api_token, find_user_by_email
    from workspace.communities.services import find_community
    with app.app_context():
        _, secret = create_api_token(find_user_by_email(OUTSIDER), name="first use")
        community_id = find_community("psychiatry").id
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    first = client.post(f"/api/v1/communities/{community_id}/join-requests", json={"message": "Hello"}, headers=headers)
    assert first.status_code == 201 and first.json["status"] == "pending"
    second = client.post(f"/api/v1/communities/{community_id}/join-requests", json={}, headers=headers)
    assert second.status_code == 409 and second.mimetype == "application/problem+json"
    assert "a steward has not answered yet" in second.json["detail"]
    assert second.json["join_request"]["id"] == first.json["id"]
    withdrawn = client.post(f"/api/v1/join-requests/{first.json['id']}/withdraw", headers=headers)
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"


# --- smaller things (item 12) ----------------------------------------------------------------------

def _space_id(app, title):
    from sqlalchemy import select

    from workspace.spaces.models import Space
    with app.app_context():
        return db.session.scalar(select(Space.id).where(Space.title == title))


def test_a_bridge_one_community_confirmed_says_which_one_it_waits_for(sign_in_as, app):
    page = _text(sign_in_as("sam@socialwork.test").get(f"/spaces/{_space_id(app, 'Referral guidelines')}/glossary"))
    # Psychiatry proposed "assessment" is a false friend (its side counts as agreed); Social Work has not confirmed.
    row = page.split("A clinical assessment is not a Care Act needs assessment.")[1].split("</tr>")[0]
    assert "proposed, waiting for Social Work to confirm" in row and "both communities" not in row


def test_possible_jargon_explains_itself_in_plain_words(sign_in_as, app):
    page = _text(sign_in_as("lee@policing.test").get(f"/spaces/{_space_id(app, 'Crisis response policy 2027')}/glossary"))
    section = page.split("Possible jargon")[1]
    assert "log-odds" not in section and "Dirichlet" not in section and "z =" not in section
    assert "more often than the other communities here" in section


def test_the_markdown_export_is_named_after_the_document(sign_in_as, app):
    from sqlalchemy import select

    from workspace.accounts.services import find_user_by_email
    from workspace.documents import services
    from workspace.documents.models import Document
    lee = sign_in_as("lee@policing.test")
    with app.app_context():
        document_id = db.session.scalar(select(Document.id).where(Document.title.like("Joint response%")))
        title = db.session.get(Document, document_id).title
        accented = services.create_document(db.session.get(Document, document_id).space, title="Réponse: crise à 2 h",
                                            actor=find_user_by_email("lee@policing.test"))
        db.session.commit()
        accented_id = accented.id
    disposition = lee.get(f"/documents/{document_id}/export.md").headers["Content-Disposition"]
    assert title.lower().startswith("joint response")
    assert disposition.startswith('attachment; filename="joint-response-')
    assert f"document-{document_id}" not in disposition
    accented_disposition = lee.get(f"/documents/{accented_id}/export.md").headers["Content-Disposition"]
    assert accented_disposition == ('attachment; filename="reponse-crise-a-2-h.md"; '
                                    "filename*=UTF-8''r%C3%A9ponse-crise-%C3%A0-2-h.md")
    assert lee.get(f"/documents/{accented_id}/export.html").headers["Content-Disposition"].endswith(".html")


def test_the_propose_space_form_never_offers_your_own_community_and_refuses_it(sign_in_as, app):
    import re

    from workspace.communities.services import find_community
    priya = sign_in_as("priya@psychiatry.test")
    with app.app_context():
        psychiatry, social_work = find_community("psychiatry").id, find_community("social-work").id
    html = priya.get("/spaces/new").get_data(as_text=True)
    invitees = html.split('id="community_ids"')[1].split("</ul>")[0]
    assert f'value="{psychiatry}"' not in invitees and f'value="{social_work}"' in invitees
    refused = priya.post("/spaces/new", data={
        "csrf_token": csrf_from(html), "proposing_community_id": psychiatry, "community_ids": [psychiatry, social_work],
        "title": "Ourselves", "purpose": "To check.", "ground_rules": "Be kind."})
    assert refused.status_code == 422
    assert re.search(r'id="community_ids-error"[^>]*>Psychiatry is the community proposing this space',
                     refused.get_data(as_text=True))


def test_a_terms_definition_comes_as_text_without_markdown_for_popovers(sign_in_as, app):
    client = sign_in_as("priya@psychiatry.test")
    glossary = client.get(f"/api/v1/spaces/{_space_id(app, 'Referral guidelines')}/glossary").json
    term = next(t for t in glossary["terms"] if t["term"] == "client")
    assert "*person we support*" in term["definition"]
    assert "person we support" in term["definition_text"] and "*" not in term["definition_text"]
