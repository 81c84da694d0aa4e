"""Demo glossaries: about fifteen terms per community and bridges that show every relation."""
from sqlalchemy import or_, select

from workspace.extensions import db
from workspace.glossary import services
from workspace.glossary.models import Bridge

# (term, aliases, definition, example, status, loaded note)
TERMS = {
    "psychiatry": [
        ("patient", ["patients"], "A person receiving care from a psychiatric service, in hospital or in the community.",
         "The patient was seen in clinic on Tuesday.", "active", ""),
        ("section", ["sectioned", "sectioning"], "Detention in hospital under the Mental Health Act, "
         "e.g. *section 2* (assessment, up to 28 days) or *section 3* (treatment).",
         "She was sectioned last night.", "active", ""),
        ("Mental Health Act", ["MHA"], "The Mental Health Act 1983: the law that allows assessment and treatment "
         "without consent when strict criteria are met.", "Is he detainable under the MHA?", "active", ""),
        ("AMHP", ["approved mental health professional"], "An **Approved Mental Health Professional**: "
         "applies for detention under the Act after an assessment with two doctors.",
         "The AMHP is on her way.", "active", ""),
        ("capacity", ["mental capacity"], "Whether a person can make a particular decision at a particular time "
         "(Mental Capacity Act 2005).", "He lacks capacity to decide about treatment today.", "active", ""),
        ("assessment", ["mental health assessment"], "A clinical interview and mental state examination "
         "leading to a formulation and a plan.", "Assessment booked for 10:00.", "active", ""),
        ("crisis team", ["CRHT", "home treatment team"], "The crisis resolution and home treatment team: "
         "urgent mental-health care at home as an alternative to admission.", "", "active", ""),
        ("formulation", [], "A shared explanation of why a person's difficulties arose and persist.", "", "active", ""),
        ("relapse", ["relapsed"], "A return of symptoms after a period of recovery.", "", "active", ""),
        ("discharge", ["discharged"], "The end of an episode of care, from a ward or from a team's caseload.",
         "Discharge planning starts on admission.", "active", ""),
        ("care coordinator", [], "The named professional who coordinates a patient's care plan.", "", "active", ""),
        ("place of safety", [], "A hospital-based suite where someone detained under section 136 is assessed.",
         "", "active", ""),
        ("non-compliant", ["non-compliance"], "Not taking treatment as prescribed.", "", "loaded",
         "Heard by other communities as blaming the person; prefer “not taking medication” and ask why."),
        ("ward round", [], "The regular multidisciplinary review of inpatients.", "", "active", ""),
        ("CPA", ["care programme approach"], "The care programme approach (England), largely replaced since 2023.",
         "", "deprecated", ""),
    ],
    "social-work": [
        ("client", ["clients", "service user", "service users"], "A person social work supports; many teams "
         "now say *person we support*.", "My client is worried about her tenancy.", "active", ""),
        ("case", ["cases"], "A person or family being supported, and the record of that support.",
         "I have twenty cases at the moment.", "active", ""),
        ("safeguarding", ["safeguarding concern"], "Protecting a person's right to live in safety, free from abuse "
         "and neglect (Care Act 2014, s.42 enquiries).", "I've raised a safeguarding concern.", "active", ""),
        ("care plan", ["support plan"], "The agreed plan of support that follows a needs assessment.", "", "active", ""),
        ("assessment", ["needs assessment"], "A Care Act assessment of a person's needs for care and support and "
         "what they want to achieve.", "", "active", ""),
        ("referral", ["referrals", "referring"], "A request for another service to become involved, "
         "with the person's consent where possible.", "", "active", ""),
        ("strengths-based practice", ["strengths-based"], "Working from what a person can do and the resources "
         "around them, not only from their deficits.", "", "active", ""),
        ("advocacy", ["advocate"], "Support for a person to express their views and uphold their rights.", "", "active", ""),
        ("caseload", [], "The cases a social worker currently holds.", "", "active", ""),
        ("multi-agency", ["MASH"], "Agencies working together; a MASH is a multi-agency safeguarding hub.", "",
         "active", ""),
        ("home visit", [], "Meeting a person where they live.", "", "active", ""),
        ("vulnerable adult", ["vulnerable adults"], "Older term for an adult at risk of abuse or neglect.", "",
         "loaded", "Heard as labelling the person as weak; the Care Act says *adult at risk*."),
        ("AMHP", ["approved mental health professional"], "An Approved Mental Health Professional: often a social "
         "worker, who brings a social perspective to Mental Health Act assessments.", "", "active", ""),
        ("capacity", ["mental capacity"], "Whether a person can make a specific decision (Mental Capacity Act "
         "2005); assumed unless shown otherwise.", "", "active", ""),
        ("child in need", [], "A child whose health or development needs local-authority services (Children Act "
         "1989, s.17).", "", "active", ""),
    ],
    "community-policing": [
        ("case", ["cases"], "An investigation into a reported crime, with its evidence file.",
         "The case goes to the CPS next week.", "active", ""),
        ("suspect", ["suspects"], "A person believed to have committed an offence.", "", "active", ""),
        ("custody", [], "Being held at a police station after arrest.", "", "active", ""),
        ("incident", ["incidents"], "Any event the police are called to, crime or not.", "", "active", ""),
        ("section 136", ["s136", "s.136"], "The police power to take a person who appears to be in mental-health "
         "crisis in a public place to a place of safety.", "We used a 136 last night.", "active", ""),
        ("welfare check", ["concern for welfare"], "Visiting someone because a caller is worried about their safety.",
         "", "active", ""),
        ("mental health triage", ["street triage"], "A police officer and a mental-health nurse attending together.",
         "", "active", ""),
        ("PACE", ["Police and Criminal Evidence Act"], "The Police and Criminal Evidence Act 1984 and its codes of "
         "practice.", "", "active", ""),
        ("arrest", ["arrested"], "Taking a person into custody on suspicion of an offence.", "", "active", ""),
        ("frequent flyer", ["frequent flyers"], "Informal: a person who calls the police often.", "", "loaded",
         "Heard as mocking people in repeated crisis; say *person who calls us often* and ask what help they need."),
        ("intelligence", ["intel"], "Information recorded to help prevent or detect crime.", "", "active", ""),
        ("response time", [], "The time from a call to officers arriving.", "", "active", ""),
        ("detain", ["detained"], "To hold a person lawfully, for example under arrest or section 136.", "",
         "active", ""),
        ("vulnerability", [], "A person's increased risk of harm, assessed with the THRIVE model.", "", "active", ""),
        ("beat", [], "The area a neighbourhood officer patrols.", "", "active", ""),
    ],
}

# (from community, from term, relation, to community, to term, note, confirmed?, dispute reason)
BRIDGES = [
    ("social-work", "client", "equivalent", "psychiatry", "patient",
     "The person being helped; each profession's word for them.", True, ""),
    ("community-policing", "case", "false_friend", "social-work", "case",
     "Policing: an investigation. Social work: a person or family being supported.", True, ""),
    ("community-policing", "section 136", "broader", "psychiatry", "section",
     "Section 136 is one of the Mental Health Act's sections.", True, ""),
    ("social-work", "safeguarding", "narrower", "community-policing", "welfare check",
     "A welfare check is one of the ways to act on a safeguarding concern.", False, ""),
    ("psychiatry", "crisis team", "related", "community-policing", "mental health triage",
     "Both respond to mental-health crises outside hospital.", True, ""),
    ("psychiatry", "assessment", "false_friend", "social-work", "assessment",
     "A clinical assessment is not a Care Act needs assessment.", False, ""),
    ("social-work", "care plan", "related", "psychiatry", "care coordinator",
     "", False, "A care coordinator is a person, a care plan a document; they are not really related."),
]


def seed_glossaries(communities: dict, people: dict) -> None:
    """Create whatever demo terms and bridges are missing (idempotent)."""
    stewards = {"psychiatry": people["priya"], "social-work": people["sam"], "community-policing": people["lee"]}
    terms = {}
    for slug, entries in TERMS.items():
        community = communities[slug]
        for text, aliases, definition, example, status, note in entries:
            term = services.find_term(community, text)
            if term is None:
                term = services.create_term(community, data={
                    "term": text, "aliases": aliases, "definition": definition, "example": example,
                    "status": status, "loaded_note": note}, actor=stewards[slug])
            terms[(slug, text)] = term
    for from_slug, from_text, relation, to_slug, to_text, note, confirmed, dispute in BRIDGES:
        a, b = terms[(from_slug, from_text)], terms[(to_slug, to_text)]
        exists = db.session.scalar(select(Bridge.id).where(or_(
            (Bridge.from_term_id == a.id) & (Bridge.to_term_id == b.id),
            (Bridge.from_term_id == b.id) & (Bridge.to_term_id == a.id))))
        if exists:
            continue
        bridge = services.propose_bridge(from_term=a, to_term=b, relation=relation, note=note,
                                         actor=stewards[from_slug])
        if confirmed:
            services.confirm_bridge(bridge, actor=stewards[to_slug])
        if dispute:
            services.dispute_bridge(bridge, reason=dispute, actor=stewards[to_slug])
