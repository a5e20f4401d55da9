"""Background work of the transfer app, on Django's tasks API (django-tasks; the database queue in
production, served by `kaidan db_worker`)."""

from django_tasks import task

from kaidan.transfer import services


@task()
def run_import_task(job_id: int) -> None:
    """Check or import the workbook of an ImportJob; the job row records progress and outcome."""
    services.run_import(job_id=job_id)
