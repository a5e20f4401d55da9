"""Stock. For now only where stock is kept: ``Warehouse``. Stock levels, moves and reservations
arrive with the inventory issue; orders already name the warehouse they ship from."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kaidan.catalog.validators import validate_code


class Warehouse(models.Model):
    """A place stock is kept and shipped from."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
