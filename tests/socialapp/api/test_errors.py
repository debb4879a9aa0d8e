"""Django-level errors answer API clients in JSON, in their language, like the API views."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "detail"), [("en", "Not found."), ("es", "No encontrado.")])
def test_an_address_the_api_does_not_have_is_a_json_404_in_the_clients_language(language, detail):
    response = Client().get("/api/no-such-thing/", HTTP_ACCEPT_LANGUAGE=language)

    assert (response.status_code, response["Content-Type"], response.json()) == (
        404,
        "application/json",
        {"detail": detail},
    )


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("en", "Something went wrong on our side; try again later."),
        ("es", "Algo ha fallado por nuestra parte; inténtalo de nuevo más tarde."),
    ],
)
def test_a_server_error_on_the_api_is_json_in_the_clients_language(language, detail, rf):
    from django.utils import translation

    from socialapp.api.errors import server_error

    with translation.override(language):
        response = server_error(rf.get("/api/photos/"))

    assert (response.status_code, json.loads(response.content)) == (500, {"detail": detail})


def test_the_apis_own_answers_to_bad_requests_are_in_the_accounts_language():
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from tests.factories import UserFactory, conversation_pair

    _buyer, seller, conversation = conversation_pair()  # the seller reads Spanish
    UserFactory(username="ana")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=seller).key}")

    answers = [
        client.get("/api/search/"),
        client.get(f"/api/conversations/{conversation.pk}/messages/?before_seq=abc"),
        client.delete("/api/users/ana/follow/"),
        APIClient().post(
            "/api/auth/token/", {"username": "ana", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="es"
        ),
    ]

    assert [(a.status_code, a.json()["detail"]) for a in answers] == [
        (400, "Añade ?q= con lo que quieras buscar."),
        (400, "before_seq tiene que ser un número de mensaje."),
        (404, "No sigues esta cuenta."),
        (400, "No se puede iniciar sesión con ese nombre de usuario y esa contraseña."),
    ]
