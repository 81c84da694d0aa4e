"""A person's own part in activities, for their data export: the answers they gave and the steps they ticked."""
from sqlalchemy import select

from workspace.activities.models import VERDICT_LABELS, Activity, ActivityStep, Judgement
from workspace.extensions import db
from workspace.privacy import Section, exporter


@exporter("activities")
def export_activities(user) -> Section:
    started = db.session.scalars(select(Activity).where(Activity.created_by_id == user.id).order_by(Activity.id)).all()
    answers = db.session.scalars(select(Judgement).where(Judgement.user_id == user.id).order_by(Judgement.id)).all()
    ticked = db.session.scalars(select(ActivityStep).where(ActivityStep.done_by_id == user.id)
                                .order_by(ActivityStep.id)).all()
    data = {
        "started": [{"title": a.title, "space": a.space.title, "starts_on": a.starts_on, "ends_on": a.ends_on}
                    for a in started],
        "judgements": [{"activity": j.activity.title, "community": j.community.name, "verdict": j.verdict,
                        "would_change": j.would_change, "created_at": j.created_at} for j in answers],
        "steps_ticked": [{"activity": s.activity.title, "step": s.title, "done_at": s.done_at} for s in ticked],
    }
    markdown = ("# Activities\n\n## Activities you started\n\n"
                + ("".join(f"- {a['title']} ({a['space']})\n" for a in data["started"]) or "_Nothing yet._\n")
                + "\n## Your answers to “Was this useful to us?”\n\n"
                + ("".join(f"- {j['activity']}, for {j['community']}: {VERDICT_LABELS[j['verdict']]}"
                           f"{' — would change: ' + j['would_change'] if j['would_change'] else ''}\n"
                           for j in data["judgements"]) or "_Nothing yet._\n")
                + "\n## Steps you ticked\n\n"
                + ("".join(f"- {s['activity']}: {s['step']}\n" for s in data["steps_ticked"]) or "_Nothing yet._\n"))
    return Section(data, markdown)
