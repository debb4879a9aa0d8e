"""The OpenAPI schema at /api/schema/ says what the API really answers.

schemathesis sends a few generated requests (valid and invalid) to every operation,
signed in as someone who owns a photo, a comment, a listing, a conversation and a pending
follow request, and checks that no answer is a server error, that every status is one
the schema documents and that every body matches the schema. Bounded and derandomized:
the same requests on every run, well under a minute on two cores.
"""

import contextlib
import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from schemathesis.specs.openapi.schemas import OpenApiSchema

from socialapp.accounts.services import follow_create
from socialapp.chat.services import conversation_start, message_send
from socialapp.photos.services import comment_create
from socialapp.shop.services import listing_create
from socialapp.wsgi import application
from tests.factories import UserFactory, make_photo
from tests.socialapp.shop.factories import upload

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
EXAMPLES = 5
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: every failure is recorded as found
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def wsgi_app():
    """The real WSGI app, with the database connection kept open between requests as
    Django's test client keeps it (closing it would end the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def owner_data(db) -> dict[str, Any]:
    owner = UserFactory(username="owner", is_private=True)
    friend = UserFactory(username="friend")
    photo = make_photo(owner, caption="red jacket #vintage")
    comment = comment_create(author=owner, photo=photo, text="still available")
    listing = listing_create(
        seller=owner,
        title="Jacket",
        description="",
        price=Decimal("10.00"),
        currency="EUR",
        category="clothing",
        image=upload(),
    )
    conversation, _ = conversation_start(user=owner, other=friend, listing=None)
    message_send(conversation=conversation, sender=friend, text="Is it still for sale?")
    request = follow_create(follower=friend, followee=owner)
    return {
        "token": Token.objects.create(user=owner),
        "path": {
            "photo_id": photo.pk,
            "comment_id": comment.pk,
            "listing_id": listing.pk,
            "conversation_id": conversation.pk,
            "request_id": request.pk,
            "username": friend.username,
            "name": "vintage",
        },
    }


def _failures(schema: OpenApiSchema, token: Token, own_path: dict[str, Any]) -> list[str]:
    """Every check failure, as "METHOD /path: kind [status]: first line"."""
    headers = {"Authorization": f"Token {token.key}"}
    found: list[str] = []

    def call(case: Case) -> None:
        # Each request starts from the fixture's data with empty throttle counters: a
        # logout, delete or burst in one example does not change what the next one sees.
        cache.clear()
        Token.objects.get_or_create(key=token.key, user=token.user)
        with transaction.atomic():
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            except FailureGroup as group:
                for failure in group.exceptions:
                    status = getattr(failure, "status_code", "")
                    first_line = failure.message.strip().splitlines()[0] if failure.message.strip() else ""
                    found.append(f"{case.operation.label}: {failure.title} {status}: {first_line}")
            transaction.set_rollback(True)

    for result in schema.get_all_operations():
        operation = result.ok()
        own = {name: own_path[name] for name in re.findall(r"{(\w+)}", operation.path) if name in own_path}
        strategies = [operation.as_strategy(generation_mode=mode) for mode in GenerationMode]
        if own:  # random ids are nearly always 404: also ask about the owner's own things
            strategies.append(operation.as_strategy(path_parameters=own))
        for strategy in strategies:
            # Unsatisfiable: negative mode found nothing in this operation to make invalid.
            with contextlib.suppress(Unsatisfiable):
                BOUNDED(given(case=strategy)(lambda case: call(case)))()
    return found


def test_schemathesis_finds_no_server_errors_and_no_schema_violations(wsgi_app, owner_data):
    # given the schema the app serves
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)

    # when every operation gets a few generated requests, signed in as the owner
    failures = _failures(schema, owner_data["token"], owner_data["path"])

    # then none failed a check
    summary = Counter(failures)
    assert summary == Counter(), "\n".join(f"{n} x {failure}" for failure, n in sorted(summary.items()))


def test_list_endpoints_are_described_as_pages(api_client):
    # given the schema
    schema = api_client.get("/api/schema/?format=json").json()

    # when the feed's 200 answer is looked up
    ref = schema["paths"]["/api/feed/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    # then it is a page of photos, not a bare array
    assert ref == {"$ref": "#/components/schemas/PaginatedPhotoOutputList"}
    page = schema["components"]["schemas"]["PaginatedPhotoOutputList"]
    assert page["type"] == "object"
    assert sorted(page["properties"]) == ["count", "next", "previous", "results"]
    assert page["properties"]["results"]["items"] == {"$ref": "#/components/schemas/PhotoOutput"}


def test_errors_are_documented_with_the_detail_shape(api_client):
    # given the schema
    schema = api_client.get("/api/schema/?format=json").json()

    # when the error answers of some operations are looked up
    def codes(path: str, method: str) -> list[str]:
        return sorted(schema["paths"][path][method]["responses"])

    # then each lists the statuses it can answer, errors as {"detail", "fields"?}
    assert codes("/api/feed/", "get") == ["200", "400", "401", "404", "429"]
    assert codes("/api/photos/", "post") == ["201", "400", "401", "403", "413", "415", "429"]
    assert codes("/api/photos/{photo_id}/", "delete") == ["204", "400", "401", "403", "404", "429"]
    assert codes("/api/photos/{photo_id}/suggestions/retry/", "post") == [
        "202",
        "400",
        "401",
        "403",
        "404",
        "409",
        "429",
    ]
    assert codes("/api/moderation/queue/", "get") == ["200", "400", "401", "403", "404", "429"]
    assert codes("/api/search/", "get") == ["200", "400", "401", "429"]
    assert schema["paths"]["/api/photos/"]["post"]["responses"]["413"] == {
        "description": "The upload is too large.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}},
    }
    assert schema["components"]["schemas"]["Detail"] == {
        "type": "object",
        "description": 'The body of every error answer (the "Detail" schema of /api/schema/).',
        "properties": {
            "detail": {"type": "string", "description": "What went wrong and what to fix, in one sentence"},
            "fields": {
                "type": "object",
                "additionalProperties": {},
                "description": "Per-field messages, when the request body or parameters were invalid",
            },
        },
        "required": ["detail"],
    }
