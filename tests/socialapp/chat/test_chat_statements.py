"""The chat hot path's plain SQL takes its table and column names from the models, so it
follows the models wherever their tables are; and the blocking rule is the same for the
store and for the selector that every interface asks."""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from unittest.mock import patch

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Model

from socialapp.accounts import services as account_services
from socialapp.accounts.models import Block
from socialapp.chat import selectors, services, statements
from socialapp.chat.models import Conversation, Message, Participant
from tests.factories import conversation_pair

BUILT = (
    statements.conversation_blocked,
    statements.next_seq,
    statements.message_insert,
    statements.read_own,
    statements.unread_counts,
)


def _rebuild() -> None:
    for built in BUILT:
        built.cache_clear()


@contextmanager
def _tables_renamed() -> Iterator[dict[type[Model], str]]:
    """Every table of the hot path renamed, in the database and in the models' _meta (as
    a db_table option would), inside the test's transaction. Only plain SQL may run
    meanwhile: the ORM would remember the names."""
    names = {
        model: f"{model._meta.db_table}_renamed" for model in (Conversation, Participant, Message, Block)
    }
    with connection.cursor() as cursor:
        for model, name in names.items():
            cursor.execute(f"ALTER TABLE {model._meta.db_table} RENAME TO {name}")
    with ExitStack() as stack:
        for model, name in names.items():
            stack.enter_context(patch.object(model._meta, "db_table", name))
        _rebuild()
        yield names
    _rebuild()


@pytest.mark.django_db
def test_a_message_is_stored_and_counted_in_the_tables_the_models_name():
    buyer, seller, conversation = conversation_pair()

    with _tables_renamed() as names:
        message, created = services.message_send(conversation=conversation, sender=buyer, text="hola")
        unread = selectors.unread_counts(user_id=seller.pk, conversation_id=conversation.pk)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT seq, text FROM {names[Message]} WHERE id = %s", [message.pk])  # noqa: S608
            stored = cursor.fetchone()

    assert (created, stored, unread) == (True, (1, "hola"), (1, 1, 1))


@pytest.mark.django_db
def test_the_block_check_reads_the_block_table_the_model_names():
    buyer, seller, conversation = conversation_pair()
    account_services.block_create(blocker=seller, blocked=buyer)

    with _tables_renamed():
        blocked = selectors.conversation_blocked(user=buyer, conversation_id=conversation.pk)
        with pytest.raises(PermissionDenied):
            services.message_send(conversation=conversation, sender=buyer, text="hola")

    assert blocked is True


@pytest.mark.django_db
def test_a_stored_message_is_a_loaded_instance_that_saves_as_an_update():
    buyer, _seller, conversation = conversation_pair()
    message, _created = services.message_send(conversation=conversation, sender=buyer, text="hola")

    message.text = "hola!"
    message.save()

    assert (message._state.adding, message._state.db) == (False, "default")
    assert list(Message.objects.values_list("seq", "text")) == [(1, "hola!")]


@pytest.mark.django_db
@pytest.mark.parametrize("blocker", ["sender", "other"])
def test_the_store_and_the_selector_apply_one_blocking_rule(blocker):
    buyer, seller, conversation = conversation_pair()
    people = (buyer, seller) if blocker == "sender" else (seller, buyer)
    account_services.block_create(blocker=people[0], blocked=people[1])

    with pytest.raises(PermissionDenied):
        services.message_send(conversation=conversation, sender=buyer, text="hola")
    account_services.block_delete(blocker=people[0], blocked=people[1])
    message, _created = services.message_send(conversation=conversation, sender=buyer, text="hola")

    assert selectors.conversation_blocked(user=buyer, conversation_id=conversation.pk) is False
    assert message.seq == 1  # the refused one took no number
