"""The only place the core app takes row locks (see the lock order in docs/architecture.md)."""

from kaidan.core.models import ApiToken, CompanySettings, DocumentSeries


def lock_company_settings() -> CompanySettings | None:
    return CompanySettings.objects.select_for_update().filter(pk=1).first()


def lock_series(doc_type: str) -> DocumentSeries | None:
    return DocumentSeries.objects.select_for_update().filter(doc_type=doc_type).first()


def lock_token(*, token_id: int, user) -> ApiToken | None:
    return ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
