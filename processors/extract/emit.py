"""The emit-incidents stage: drafts become ``Incident`` records with ids and confidence.

An incident's id hashes the article id, a digest of its body and its rank, so re-reading the
same article gives the same ids; its ``event_id`` is provisional until correlation.
"""

from __future__ import annotations

import hashlib

from processors.extract.document import Document, Draft
from processors.identity import event_key
from processors.models import Article, Evidence, Incident


def emit_incidents(doc: Document) -> None:
    """Set ``incidents``: the first ``max_incidents`` drafts as records."""
    doc.incidents = _to_incidents(doc.article, doc.drafts[: doc.max_incidents], doc.version)


def _confidence(draft: Draft) -> float:
    score = 0.3 + {1: 0.0, 2: 0.1}.get(draft.type_weight, 0.2)
    score += {"day": 0.15, "week": 0.1, "month": 0.05}.get(draft.precision, 0.0)
    score += 0.1 if draft.geo_precision and draft.geo_precision <= 2 else 0.0
    score += 0.1 if draft.attribution in ("stated", "claimed") else 0.0
    score += min(0.1, 0.05 * (draft.mentions - 1))
    score -= 0.15 if draft.quoted else 0.0
    return round(max(0.05, min(0.95, score)), 3)


def _to_incidents(article: Article, drafts: list[Draft], version: str) -> list[Incident]:
    body = article.body
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
    out: list[Incident] = []
    for index, draft in enumerate(drafts):
        incident_id = hashlib.sha256(f"{article.id}|{digest}|{index}".encode()).hexdigest()[:24]
        incident = Incident(
            incident_id=incident_id, article_id=article.id,
            event_id=event_key(draft.country, draft.admin1, draft.day, draft.event_type,
                               incident_id),
            event_date=draft.day, date_precision=draft.precision,
            country=draft.country, admin1=draft.admin1, place=draft.place,
            latitude=draft.latitude, longitude=draft.longitude,
            geo_precision=draft.geo_precision, event_type=draft.event_type,
            perpetrator=draft.perpetrator, attribution=draft.attribution, target=draft.target,
            killed=draft.killed, injured=draft.injured, kidnapped=draft.kidnapped,
            background=draft.background,
            evidence=[Evidence(text=body[s:e], start=s, end=e) for s, e in sorted(draft.evidence)],
            confidence=_confidence(draft), extractor_version=version,
            sources=[article.id], article_digest=digest,
        )
        out.append(incident)
    return out
