"""Operator commands (`flask --app wsgi …`); each calls the same services as the pages."""
import click
from flask.cli import with_appcontext

from workspace.accounts import services as accounts
from workspace.communities import services as communities
from workspace.errors import DomainError
from workspace.extensions import db


def _fail(error: DomainError):
    detail = "; ".join(f"{k}: {v}" for k, v in getattr(error, "errors", {}).items()) or error.detail
    raise click.ClickException(detail)


def _user(email: str):
    user = accounts.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the email {email}.")
    return user


def register(app) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only seed a database that has no accounts yet")
    @with_appcontext
    def seed_demo(if_empty):
        """Create the demo world (idempotent)."""
        from workspace.accounts.models import User
        from workspace.demo import seed_demo as seed
        if if_empty and db.session.scalar(db.select(User.id).limit(1)) is not None:
            click.echo("Database already has accounts; demo world not seeded.")
            return
        world = seed()
        db.session.commit()
        click.echo(f"Demo world ready: {len(world['people'])} people, {len(world['communities'])} communities, "
                   f"{len(world['spaces'])} spaces. Password for every demo account: convene-demo")

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--name", "display_name", required=True, help="Display name")
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option("--admin", is_flag=True, help="Make a site administrator")
    @with_appcontext
    def create_user(email, display_name, password, admin):
        """Create an account."""
        try:
            user = accounts.register_user(email=email, display_name=display_name, password=password, is_admin=admin)
        except DomainError as error:
            _fail(error)
        if user is None:
            raise click.ClickException(f"{email} already has an account.")
        db.session.commit()
        click.echo(f"Created user {user.id} <{user.email}>")

    @app.cli.command("create-community")
    @click.argument("name")
    @click.option("--slug", required=True)
    @click.option("--colour", default="#1f5f8b", show_default=True)
    @click.option("--description", default="")
    @with_appcontext
    def create_community(name, slug, colour, description):
        """Create a community of practice."""
        try:
            community = communities.create_community(name=name, slug=slug, colour=colour,
                                                     description=description, actor=None)
        except DomainError as error:
            _fail(error)
        db.session.commit()
        click.echo(f"Created community {community.id} ({community.slug})")

    @app.cli.command("add-member")
    @click.argument("community_slug")
    @click.argument("email")
    @click.option("--role", type=click.Choice(["member", "steward"]), default="member", show_default=True)
    @with_appcontext
    def add_member(community_slug, email, role):
        """Add a person to a community (or change their role)."""
        community = communities.find_community(community_slug)
        if community is None:
            raise click.ClickException(f"No community has the slug {community_slug}.")
        communities.add_member(community, _user(email), role=role, actor=None)
        db.session.commit()
        click.echo(f"{email} is a {role} of {community.name}")

    @app.cli.command("create-token")
    @click.argument("email")
    @click.option("--name", default="command line", show_default=True)
    @with_appcontext
    def create_token(email, name):
        """Create a personal API token; the token is printed alone on the last line."""
        user = _user(email)
        try:
            _token, secret = accounts.create_api_token(user, name=name)
        except DomainError as error:
            _fail(error)
        db.session.commit()
        click.echo(f"Token for {user.email} (shown once, store it now):")
        click.echo(secret)

    @app.cli.command("deactivate-user")
    @click.argument("email")
    @with_appcontext
    def deactivate_user(email):
        """Deactivate an account: its sessions, tokens and sockets stop working at once."""
        user = _user(email)
        accounts.deactivate_user(user, actor=None)
        db.session.commit()
        click.echo(f"{email} is deactivated")


    # --- notifications: e-mail digests (notices feature) ------------------------------------------
    @app.cli.command("send-digests")
    @click.option("--base-url", envvar="PUBLIC_URL", default="http://127.0.0.1:5000", show_default=True,
                  help="The site's public address, for the links in the e-mails (env PUBLIC_URL)")
    @with_appcontext
    def send_digests(base_url):
        """Mail each person one digest of their unread, not yet mailed notices, grouped by space."""
        from workspace.database import utcnow
        from workspace.notices import digests
        run_at = utcnow()
        people = digests.pending_people(run_at)
        total = digests.DigestRun()
        for start in range(0, len(people), digests.BATCH):
            done = digests.send_digest_batch(people[start:start + digests.BATCH], run_at=run_at, base_url=base_url)
            db.session.commit()  # per batch: a run stopped half-way never mails anyone twice
            total.people += done.people
            total.notices += done.notices
        click.echo(f"Sent {total.people} digest(s) covering {total.notices} notice(s).")
