"""Writes of the transfer app: start an import (check the file, store it, queue the job) and run it.

``run_import`` reads the whole sheet, checks every row (saving "rows checked" as it goes, so the
job page can show progress), and stops there for a dry run or when any row has a problem. Otherwise
it writes every changed row through the kind's services in ONE transaction: if any row fails then,
everything is rolled back and the failures are reported. Unchanged rows are not written at all.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from kaidan.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from kaidan.core.roles import has_capability
from kaidan.transfer import excel
from kaidan.transfer.importing import CREATE, UNCHANGED, UPDATE, Importer, Problem, Record, RowPlan
from kaidan.transfer.models import ImportJob

logger = logging.getLogger("kaidan.transfer")

PROGRESS_EVERY = 250  # rows between two saves of the progress
MAX_REPORTED_PROBLEMS = 1000  # stored on the job; problem_count has them all

Progress = Callable[[str, int, int], None]  # (phase "check" or "write", done, total)


class _RollBack(Exception):
    """Leaves the import's transaction so that nothing of it is kept."""


def importer_for(kind: str) -> Importer:
    """The importer of a kind (customers, products). Raises NotFound for another kind."""
    path = settings.KAIDAN_IMPORTERS.get(kind)
    if path is None:
        raise NotFound()
    return import_string(path)


def check_upload(importer: Importer, upload: IO[bytes], name: str) -> None:
    """Refuse, before anything is stored, a file that is no workbook or has no header row.
    Raises ValidationFailed on "file"."""
    try:
        excel.check_name(name)
        excel.check_container(upload, max_bytes=settings.KAIDAN_IMPORT_MAX_BYTES)
        importer.match_header(excel.read_header(upload))
    except excel.ExcelError as exc:
        raise ValidationFailed.for_field("file", exc.message) from None
    finally:
        upload.seek(0)


def start_import(*, actor, kind: str, upload: IO[bytes], name: str, dry_run: bool,
                 background: bool = True) -> ImportJob:
    """Store the workbook and create its job; queue it unless ``background`` is False (the command
    line runs it in-process). Raises NotFound (kind), Forbidden, ValidationFailed (file)."""
    importer = importer_for(kind)
    if not has_capability(actor, importer.capability):
        raise Forbidden()
    check_upload(importer, upload, name)
    job = ImportJob(kind=kind, user=actor, dry_run=dry_run, original_name=(name or "")[-200:],
                    language=translation.get_language() or settings.LANGUAGE_CODE)
    job.file.save(f"{uuid.uuid4().hex}{excel.EXTENSION}", File(upload), save=False)
    job.save()
    if background:
        from kaidan.transfer.tasks import run_import_task

        run_import_task.enqueue(job.pk)
        job.refresh_from_db()  # a task that already ran (or started) has moved the job on
    return job


def import_checked_file(*, actor, job_id: int) -> ImportJob:
    """Import the file of one of the actor's checks (dry runs) that found no problems, as a new job.
    Raises NotFound, Forbidden, Conflict (the check is not finished or found problems)."""
    job = ImportJob.objects.filter(pk=job_id, user=actor).first()
    if job is None:
        raise NotFound()
    if not has_capability(actor, importer_for(job.kind).capability):
        raise Forbidden()
    if not job.dry_run or job.outcome != "checked":
        raise Conflict(_("Only a finished check without problems can be imported; upload the file again."))
    again = ImportJob.objects.create(kind=job.kind, user=actor, dry_run=False, original_name=job.original_name,
                                     file=job.file.name,
                                     language=translation.get_language() or settings.LANGUAGE_CODE)
    from kaidan.transfer.tasks import run_import_task

    run_import_task.enqueue(again.pk)
    again.refresh_from_db()
    return again


def save_progress(job: ImportJob, processed: int) -> None:
    """Make "rows checked" visible to the job page (committed at once outside a transaction)."""
    job.processed_rows = processed
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=processed)


def _finish(job: ImportJob, status: str, *, problems: list[Problem], counts: Counter | None = None) -> None:
    counts = counts or Counter()
    job.status = status
    job.created_count, job.updated_count = counts[CREATE], counts[UPDATE]
    job.unchanged_count = counts[UNCHANGED]
    job.problem_count = len(problems)
    job.errors = [p.as_dict() for p in problems[:MAX_REPORTED_PROBLEMS]]
    job.finished_at = timezone.now()
    if status == ImportJob.Status.DONE:
        job.processed_rows = job.total_rows
    job.save(update_fields=["status", "created_count", "updated_count", "unchanged_count", "problem_count",
                            "errors", "finished_at", "processed_rows", "total_rows"])


def run_import(*, job_id: int, progress: Progress | None = None) -> ImportJob | None:
    """Check, and unless it is a dry run, import the job's workbook. A job that is not waiting (run
    already, by a retried task) is left alone. Never raises for bad input: the job records it."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now())
    job = ImportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or not claimed:
        return job
    with translation.override(job.language):
        try:
            _run(job, importer_for(job.kind), progress)
        except excel.ExcelError as exc:
            _finish(job, ImportJob.Status.FAILED, problems=[Problem(None, "", "file", exc.message)])
        except Exception:
            logger.exception("import job %s failed", job.pk)
            _finish(job, ImportJob.Status.FAILED, problems=[Problem(None, "", "", _(
                "The import stopped on an unexpected error and nothing was imported. Report import #%(id)d.")
                % {"id": job.pk})])
    return job


def _read(job: ImportJob, importer: Importer) -> tuple[list[Record], list[Problem]]:
    with job.file.open("rb") as fileobj:
        header = excel.read_header(fileobj)
        positions, problems = importer.match_header(header)
        rows = excel.read_rows(fileobj, columns=len(header), max_rows=settings.KAIDAN_IMPORT_MAX_ROWS)
        records = [Record(row, {key: values[i] for key, i in positions.items()}) for row, values in rows]
    return [r for r in records if not importer.is_example(r)], problems


def _run(job: ImportJob, importer: Importer, progress: Progress | None) -> None:
    if not has_capability(job.user, importer.capability):
        _finish(job, ImportJob.Status.FAILED, problems=[Problem(None, "", "", str(Forbidden.default_message))])
        return
    records, problems = _read(job, importer)
    job.total_rows = len(records)
    ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
    if not records:
        problems.append(Problem(None, "", "", _("The sheet has no rows below its header.")))
    context = importer.prepare(actor=job.user, records=records)
    plans: list[RowPlan] = []
    for done, record in enumerate(records, start=1):
        plan = importer.check(context, record)
        plans.append(plan)
        problems.extend(plan.problems)
        if done % PROGRESS_EVERY == 0 or done == len(records):
            save_progress(job, done)
            if progress:
                progress("check", done, len(records))
    if problems or job.dry_run:
        counts = Counter(plan.action for plan in plans if not plan.problems) if job.dry_run else None
        _finish(job, ImportJob.Status.DONE, problems=problems, counts=counts)
        return
    counts, problems = _write(job, importer, context, plans, progress)
    _finish(job, ImportJob.Status.DONE, problems=problems, counts=counts)


def _write(job: ImportJob, importer: Importer, context, plans: list[RowPlan],
           progress: Progress | None) -> tuple[Counter, list[Problem]]:
    """All or nothing: every changed row through the services in one transaction."""
    counts: Counter = Counter()
    problems: list[Problem] = []
    try:
        with transaction.atomic():
            for done, plan in enumerate(plans, start=1):
                if plan.action == UNCHANGED:
                    counts[UNCHANGED] += 1
                else:
                    try:
                        counts[importer.apply(context, plan)] += 1
                    except DomainError as exc:  # the service refused: keep going to report every row
                        problems.extend(importer.problems_from(exc, plan.row))
                        if len(problems) >= MAX_REPORTED_PROBLEMS:
                            break
                if progress and (done % PROGRESS_EVERY == 0 or done == len(plans)):
                    progress("write", done, len(plans))
            if problems:
                raise _RollBack
    except _RollBack:
        return Counter(), problems
    return counts, problems
