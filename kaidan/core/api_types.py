"""Field types shared by every API schema, so the OpenAPI document says exactly what is accepted.

Decimals travel as strings ("12.50"); ids are bounded to what the database can hold; text may not
carry NUL characters or lone surrogates (PostgreSQL cannot store them)."""

from decimal import Decimal
from typing import Annotated, Any

from ninja import Field
from pydantic import AfterValidator, WithJsonSchema

MAX_DB_ID = 2**63 - 1


def clean_text(value: Any) -> Any:
    """Refuse text the database cannot store; used on every string of every input schema."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("Text must not contain NUL characters.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("Text is not valid Unicode.") from None
    return value


DbId = Annotated[int, Field(ge=1, le=MAX_DB_ID)]
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, Field(pattern=NO_NUL), AfterValidator(clean_text)]
DocType = Annotated[str, Field(pattern=r"^[-a-zA-Z0-9_]{1,40}$")]
Rate = Annotated[
    Decimal,
    Field(ge=0, lt=1, max_digits=5, decimal_places=4),
    WithJsonSchema({"type": "string", "pattern": r"^0(\.[0-9]{1,4})?$", "example": "0.13"}),
]
