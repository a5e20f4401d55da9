"""API schemas of Excel imports."""

from datetime import datetime

from ninja import Field, Schema


class ProblemOut(Schema):
    row: int | None = Field(None, description="Excel row number; empty for a problem with the whole file")
    column: str = Field("", description="The column as its header shows it, e.g. 信用代码 / uscc")
    field: str = Field("", description="The column's key, e.g. uscc")
    message: str


class ImportJobOut(Schema):
    id: int
    kind: str
    original_name: str
    dry_run: bool
    status: str = Field(..., description="pending, running, done or failed")
    outcome: str = Field(..., description="pending, running, checked (dry run without problems), imported, "
                                          "rejected (problems found, nothing written) or failed")
    total_rows: int
    processed_rows: int
    created_count: int
    updated_count: int
    unchanged_count: int
    problem_count: int
    errors: list[ProblemOut] = Field(..., description="The first 1,000 problems")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
