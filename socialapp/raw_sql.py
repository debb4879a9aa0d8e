"""Names for the few plain SQL statements of hot paths (chat.statements, the translation
request): every table and column comes from the models' `_meta` (Django's public Model
_meta API), quoted for the database, so the SQL follows the models wherever their
tables are."""

from django.db import connection, models


class SqlNames:
    """A model's quoted table name (as a string) and quoted column names (as attributes,
    by field name: `SqlNames(Participant).user` is the column of the `user` foreign key)."""

    def __init__(self, model: type[models.Model]) -> None:
        self._model = model

    def __str__(self) -> str:
        return connection.ops.quote_name(self._model._meta.db_table)

    def __getattr__(self, field: str) -> str:
        return connection.ops.quote_name(self._model._meta.get_field(field).column)
