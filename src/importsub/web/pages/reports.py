"""The executive summary of a result, as a page and as its PDF (``/jobs/{id}/summary``, ``?format=pdf``).

One or two A4 pages a ministry can file (:mod:`importsub.web.services.summary`): the result page's KPIs,
its main chart, the top rows of its key table and what they mean, in the request's language.  The page is
self-contained (inline styles and SVG, no script): its Content-Security-Policy is the report's.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import Response

from importsub.store import accounts
from importsub.web.deps import CsrfChecked, PageDep
from importsub.web.i18n import gettext as _
from importsub.web.services import reports, summary

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])


@router.get("/jobs/{job_id}/summary")
def summary_report(page: PageDep, job_id: int, format: Annotated[Literal["html", "pdf"], Query()] = "html") -> Response:
    """The executive summary of job ``job_id`` (HTML, or PDF printed by Chromium: 503 without one)."""
    job = page.job(job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=_("No job %(id)s.", id=job_id))
    name, fingerprint, tables = page.result(job)  # 409 while it is not done
    kind_title = _(page.analyses[job.kind].title) if job.kind in page.analyses else job.kind
    s = summary.summary(
        job.kind,
        _("Executive summary: %(title)s", title=kind_title),
        tables,
        dataset=job.dataset,
        version=job.version,
        fingerprint=fingerprint,
        created=job.updated_at,
    )
    env = page.request.app.state.templates.env
    html = summary.summary_html(env, s, paper=format == "pdf")
    headers = {"Content-Security-Policy": reports.REPORT_CSP}
    if format == "html":
        return Response(html, media_type="text/html; charset=utf-8", headers=headers)
    try:
        pdf = reports.html_to_pdf(html)
    except reports.PdfUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from None
    accounts.audit(
        page.conn,
        action="result exported",
        user=page.user,
        target=f"job {job_id}",
        detail={"format": "summary pdf"},
        ip=page.ip,
    )
    disposition = f'attachment; filename="{name}-job{job_id}-summary.pdf"'
    return Response(pdf, media_type="application/pdf", headers={**headers, "Content-Disposition": disposition})
