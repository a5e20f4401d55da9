"""`kaidan import customers|products FILE.xlsx [--dry-run] [--user NAME]`: the import of the web page,
run in this process with a progress bar on stderr. Problems are printed as
"row 12, 信用代码 / uscc: …"; the exit code is 1 when there are any (then nothing was imported)."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kaidan.core.errors import DomainError, ValidationFailed
from kaidan.transfer import services
from kaidan.transfer.importing import Problem


class ProgressBar:
    """A one-line text bar, redrawn in place: "Checking [#######.....] 4000/10000"."""

    def __init__(self, stream, width: int = 30):
        self.stream, self.width, self.drawn = stream, width, False

    def __call__(self, phase: str, done: int, total: int) -> None:
        label = _("Writing") if phase == "write" else _("Checking")
        filled = self.width * done // max(total, 1)
        self.stream.write(f"\r{label} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}", ending="")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("")


class Command(BaseCommand):
    help = "Import customers or products from an Excel workbook (.xlsx), or only check it with --dry-run."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(settings.KAIDAN_IMPORTERS), help="What the file holds.")
        parser.add_argument("file", help="The .xlsx file, with the template's header row.")
        parser.add_argument("--dry-run", action="store_true", help="Only check the file and list its problems.")
        parser.add_argument("--user", help="Import as this user (default: the first superuser).")

    def _user(self, username: str | None):
        users = get_user_model().objects.filter(is_active=True)
        user = users.filter(username=username).first() if username else \
            users.filter(is_superuser=True).order_by("pk").first()
        if user is None:
            raise CommandError(_("No active user “%(name)s”.") % {"name": username} if username
                               else _("There is no superuser; name the importing user with --user."))
        return user

    def handle(self, *args, kind: str, file: str, dry_run: bool, user: str | None, **options):
        actor = self._user(user)
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": file})
        with path.open("rb") as handle:
            try:
                job = services.start_import(actor=actor, kind=kind, upload=File(handle), name=path.name,
                                            dry_run=dry_run, background=False)
            except ValidationFailed as exc:
                raise CommandError("; ".join(m for msgs in exc.fields.values() for m in msgs)) from None
            except DomainError as exc:
                raise CommandError(_("%(user)s may not import %(kind)s: %(reason)s")
                                   % {"user": actor.get_username(), "kind": kind, "reason": exc.message}) from None
        bar = ProgressBar(self.stderr)
        job = services.run_import(job_id=job.pk, progress=bar)
        bar.close()
        for problem in job.errors:
            self.stdout.write(str(Problem(**problem)))
        if job.problem_count > len(job.errors):
            self.stdout.write(_("… and %(n)d more problems.") % {"n": job.problem_count - len(job.errors)})
        counts = {"c": job.created_count, "u": job.updated_count, "n": job.unchanged_count, "rows": job.total_rows}
        if job.outcome == "imported":
            self.stdout.write(_("Imported %(rows)d rows: %(c)d created, %(u)d updated, %(n)d unchanged.") % counts)
        elif job.outcome == "checked":
            self.stdout.write(_("No problems in %(rows)d rows. Importing would create %(c)d, update %(u)d and leave "
                                "%(n)d unchanged; nothing was changed.") % counts)
        else:
            raise CommandError(_("%(n)d problems; nothing was imported.") % {"n": job.problem_count})
