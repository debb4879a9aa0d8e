"""The SQL of chat's hot path: storing a message and the unread counts that follow it.

A message is the busiest write of a chat server, and Django compiles every ORM query
anew: about 1 ms of CPU a query here, ten times the query itself. So these are plain
statements that both SQLite (3.35+) and PostgreSQL run, through Django's public
`connection.cursor()`. Every table and column name comes from the models (SqlNames), and
each statement is built once, on first use (the models are loaded by then).

The blocking rule of a conversation lives here once (`blocked_exists`): the store checks
it under the conversation's row lock, and `chat.selectors.conversation_blocked` asks it
for the page, the API and the socket."""

from functools import cache

from socialapp.accounts.models import Block
from socialapp.raw_sql import SqlNames

from .models import Conversation, Message, Participant


def blocked_exists(conversation_id: str) -> str:
    """The blocking rule as an SQL condition: a Block, either way, between a user and
    anyone else in the conversation whose id is the SQL expression `conversation_id`. The
    condition takes the user's id twice, as its two parameters."""
    b, p = SqlNames(Block), SqlNames(Participant)
    return f"""EXISTS (
        SELECT 1 FROM {b} JOIN {p} ON {p}.{p.conversation} = {conversation_id}
        WHERE ({b}.{b.blocker} = %s AND {b}.{b.blocked} = {p}.{p.user})
           OR ({b}.{b.blocked} = %s AND {b}.{b.blocker} = {p}.{p.user})
    )"""  # noqa: S608 - names from _meta, values as parameters


@cache
def conversation_blocked() -> str:
    """Parameters: conversation id, user id, user id. One row: whether a block stands."""
    return f"SELECT {blocked_exists('%s')}"


@cache
def next_seq() -> str:
    """Number the next message and read the blocking rule under the row lock the UPDATE
    takes. Parameters: updated_at, conversation id, sender id, sender id. One row
    (last_seq, blocked), none when the conversation is gone."""
    c = SqlNames(Conversation)
    return f"""
        UPDATE {c} SET {c.last_seq} = {c.last_seq} + 1, {c.updated_at} = %s WHERE {c.id} = %s
        RETURNING {c.last_seq}, {blocked_exists(f"{c}.{c.id}")}
    """  # noqa: S608 - names from _meta, values as parameters


# The columns message_insert fills, in the order of its parameters.
MESSAGE_FIELDS = ("conversation", "sender", "seq", "text", "language", "client_id", "created_at")


@cache
def message_insert() -> str:
    """Parameters: the values of MESSAGE_FIELDS. One row: the new message's id."""
    m = SqlNames(Message)
    columns = ", ".join(getattr(m, field) for field in MESSAGE_FIELDS)
    values = ", ".join(["%s"] * len(MESSAGE_FIELDS))
    return f"INSERT INTO {m} ({columns}) VALUES ({values}) RETURNING {m.id}"  # noqa: S608


@cache
def read_own() -> str:
    """Writing means having read everything before, so the sender's read mark moves to
    their message, and the other person's unread count is simply last_seq minus their
    mark. Parameters: seq, conversation id, sender id."""
    p = SqlNames(Participant)
    return f"UPDATE {p} SET {p.last_read_seq} = %s WHERE {p.conversation} = %s AND {p.user} = %s"  # noqa: S608


@cache
def unread_counts() -> str:
    """Parameters: conversation id, user id. One row: (unread in that conversation,
    unread in all, conversations with unread messages), NULL for someone in no conversation."""
    c, p = SqlNames(Conversation), SqlNames(Participant)
    unread = f"{c}.{c.last_seq} - {p}.{p.last_read_seq}"
    return f"""
        SELECT SUM(CASE WHEN {p}.{p.conversation} = %s THEN {unread} ELSE 0 END), SUM({unread}),
               SUM(CASE WHEN {unread} > 0 THEN 1 ELSE 0 END)
        FROM {p} JOIN {c} ON {c}.{c.id} = {p}.{p.conversation}
        WHERE {p}.{p.user} = %s
    """  # noqa: S608 - names from _meta, values as parameters
